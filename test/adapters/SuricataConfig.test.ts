/**
 * suricata.yaml and its includes read from real files (the live layer), as Suricata reads them: OPNsense's
 * template forms (opnsense/core src/opnsense/service/templates/OPNsense/IDS/suricata.yaml: two top-level
 * `include:` keys until 24.1, commit 936ab34; a list with absolute conf.d paths since, commit 4cf6870) and
 * include paths relative to the main file's folder (OISF/suricata src/conf-yaml-loader.c,
 * SCConfYamlHandleInclude with conf_dirname, master 398687d5d4).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { mkdir, writeFile } from "node:fs/promises"
import { join, resolve } from "node:path"
import * as SuricataConfig from "../../src/adapters/SuricataConfig.js"
import { type HomeNet, homeNetFromConfig } from "../../src/domain/HomeNet.js"
import { parseIp } from "../../src/domain/Ip.js"
import { localNetworks } from "../../src/domain/Network.js"
import { oracleNetworks } from "../support/PrivacyOracle.js"
import { tempDir } from "../support/TempDir.js"

const FIXTURE = resolve(__dirname, "../../fixtures/suricata-yaml/opnsense-20.7/suricata.yaml")

const homeOf = (path: string) =>
  Effect.gen(function* () {
    const load = yield* SuricataConfig.loadConfig(path)
    if (load._tag === "absent") return undefined
    return homeNetFromConfig(load)
  }).pipe(Effect.provide(SuricataConfig.layer))

/** Every address the oracle calls home is local for the sanitiser, and the public ones are told apart. */
const judge = (h: HomeNet | undefined, home: ReadonlyArray<string>, away: ReadonlyArray<string>) => {
  expect(h?.failure).toBeUndefined()
  const set = localNetworks(h!.cidrs, [])
  const oracle = oracleNetworks(["203.0.113.0/24", "2001:db8:aaaa::/48"])
  for (const a of home) {
    expect(oracle.isLocal(a), a).toBe(true)
    expect(set.contains(parseIp(a)!), a).toBe(true)
  }
  for (const a of away) expect(set.contains(parseIp(a)!), a).toBe(false)
}

describe("SuricataConfig.loadConfig on real files", () => {
  it.effect("OPNsense's template with two top-level include: keys: custom.yaml, read last, gives HOME_NET", () =>
    Effect.gen(function* () {
      const h = yield* homeOf(FIXTURE)
      judge(h, ["203.0.113.7", "2001:db8:aaaa::5", "192.168.1.1"], ["198.51.100.7", "2001:db8:bbbb::1"])
      expect(h!.cidrs[0]!.origin).toBe(`HOME_NET in ${resolve(FIXTURE, "../custom.yaml")}`)
    }))

  it.scoped("OPNsense 24.1+: a list of includes, absolute conf.d paths and a nested include from the main folder", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir()
      yield* Effect.promise(async () => {
        await mkdir(join(dir, "conf.d"))
        await writeFile(join(dir, "suricata.yaml"), `%YAML 1.1\n---\nvars:\n  address-groups:\n    HOME_NET: "[198.18.0.0/15]"\ninclude:\n  - installed_rules.yaml\n  - ${dir}/conf.d/site.yaml\n`)
        await writeFile(join(dir, "installed_rules.yaml"), "%YAML 1.1\n---\nrule-files:\n  - a.rules\n")
        // Relative to the MAIN file's folder: groups.yaml beside suricata.yaml, not conf.d/groups.yaml.
        await writeFile(join(dir, "conf.d/site.yaml"), "%YAML 1.1\n---\nvars:\n  address-groups:\n    include: groups.yaml\n")
        await writeFile(join(dir, "groups.yaml"), `%YAML 1.1\n---\nHOME_NET: "[203.0.113.0/24, 2001:db8:aaaa::/48]"\n`)
        await writeFile(join(dir, "conf.d/groups.yaml"), `%YAML 1.1\n---\nHOME_NET: "[198.51.100.0/24]"\n`)
      })
      judge(yield* homeOf(join(dir, "suricata.yaml")), ["203.0.113.7", "2001:db8:aaaa::5"], ["198.51.100.7", "198.18.0.1"])
    }))

  it.scoped("an include that is a folder, or absent, fails closed; an absent suricata.yaml is absent", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir()
      yield* Effect.promise(async () => {
        await mkdir(join(dir, "d"))
        await writeFile(join(dir, "a.yaml"), `vars:\n  address-groups:\n    HOME_NET: "[10.0.0.0/8]"\ninclude: d\n`)
        await writeFile(join(dir, "b.yaml"), `vars:\n  address-groups:\n    HOME_NET: "[10.0.0.0/8]"\ninclude: gone.yaml\n`)
      })
      expect((yield* homeOf(join(dir, "a.yaml")))?.failure).toMatch(/cannot be read \(a directory\)/)
      expect((yield* homeOf(join(dir, "b.yaml")))?.failure).toMatch(/included but not found/)
      expect(yield* homeOf(join(dir, "none.yaml"))).toBeUndefined()
    }))
})
