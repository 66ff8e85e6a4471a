/**
 * Loading HOME_NET and the SID selection from real files (issue 10, classes 4 and 5): includes followed,
 * fail closed with one message, a bad --home-net or an unreadable telemetry_sids.txt a configuration error.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { mkdir, writeFile } from "node:fs/promises"
import { join } from "node:path"
import * as HostNetworks from "../../src/adapters/HostNetworks.js"
import * as StateStore from "../../src/adapters/StateStore.js"
import { emptyState, renderState } from "../../src/domain/AgentState.js"
import { parseIp } from "../../src/domain/Ip.js"
import { selectRecord } from "../../src/domain/Select.js"
import { eventToJson, makeSanitiser } from "../../src/domain/Sanitise.js"
import { describeFailure } from "../../src/main/Failure.js"
import { loadPrivacy, loadRecordedHomeNet, rememberHostNetworks } from "../../src/main/Privacy.js"
import { localAddressesIn, oracleNetworks } from "../support/PrivacyOracle.js"
import { tempDir } from "../support/TempDir.js"

const load = (files: Record<string, string>, opts: { homeNet?: string; dirs?: ReadonlyArray<string> } = {}) =>
  Effect.gen(function* () {
    const dir = yield* tempDir()
    for (const d of opts.dirs ?? []) yield* Effect.promise(() => mkdir(join(dir, d)))
    for (const [name, text] of Object.entries(files)) yield* Effect.promise(() => writeFile(join(dir, name), text))
    return yield* loadPrivacy({
      suricataYaml: join(dir, "suricata.yaml"),
      sidsFile: join(dir, "telemetry_sids.txt"),
      homeNet: opts.homeNet
    }).pipe(Effect.provide(HostNetworks.layerStatic([])), Effect.either)
  })

const alert = (sid: number) => ({ event_type: "alert", timestamp: "2026-11-01T12:00:00.000000+0000", alert: { signature_id: sid } })
const YAML = `vars:\n  address-groups:\n    HOME_NET: "[10.0.0.0/8]"\ninclude: [installed_rules.yaml, custom.yaml]\n`

describe("loadPrivacy", () => {
  it.scoped("follows suricata.yaml's includes: HOME_NET from custom.yaml wins", () =>
    Effect.gen(function* () {
      const r = yield* load({
        "suricata.yaml": YAML,
        "installed_rules.yaml": "rule-files: []\n",
        "custom.yaml": `vars:\n  address-groups:\n    HOME_NET: "[198.51.100.0/24]"\n`
      })
      expect(r._tag).toBe("Right")
      if (r._tag !== "Right") return
      expect(r.right.warnings).toEqual([])
      expect(r.right.local.contains(parseIp("198.51.100.7")!)).toBe(true)
      expect(r.right.local.contains(parseIp("8.8.8.8")!)).toBe(false)
    }))

  it.scoped("fails closed, saying so once, when an include cannot be read", () =>
    Effect.gen(function* () {
      const r = yield* load({ "suricata.yaml": YAML, "installed_rules.yaml": "" }, { dirs: ["custom.yaml"] })
      if (r._tag !== "Right") throw new Error("expected a result")
      expect(r.right.warnings.filter((w) => /HOME_NET cannot be fully understood/.test(w))).toHaveLength(1)
      expect(r.right.warnings[0]).toMatch(/custom\.yaml: cannot be read \(a directory\)/)
      expect(r.right.local.contains(parseIp("8.8.8.8")!)).toBe(true)
      expect(r.right.local.contains(parseIp("2001:4860::8888")!)).toBe(true)
    }))

  it.scoped("a bad --home-net entry is a usage error (exit 2)", () =>
    Effect.gen(function* () {
      const r = yield* load({}, { homeNet: "10.0.0.0/8,lan" })
      expect(r._tag === "Left" && describeFailure(r.left).exitCode).toBe(2)
      expect(r._tag === "Left" && r.left.message).toMatch(/--home-net .*"lan" is not an address/)
    }))

  it.scoped("telemetry_sids.txt: inline comments; a file listing none selects nothing and says so", () =>
    Effect.gen(function* () {
      const listed = yield* load({ "telemetry_sids.txt": "# telemetry\n2013028 # curl UA\n\n2019401\t# x\n" })
      if (listed._tag !== "Right") throw new Error("expected a result")
      expect([...listed.right.sids].sort()).toEqual([2013028, 2019401])
      const none = yield* load({ "telemetry_sids.txt": "# nothing yet\n\n" })
      if (none._tag !== "Right") throw new Error("expected a result")
      expect(none.right.warnings.join("\n")).toMatch(/lists no SID: no alert is selected/)
      expect(selectRecord(alert(2013028), { sids: none.right.sids, notBefore: undefined })).toBe("sid-not-listed")
      const absent = yield* load({})
      if (absent._tag !== "Right") throw new Error("expected a result")
      expect(selectRecord(alert(2013028), { sids: absent.right.sids, notBefore: undefined })).toBe("send")
    }))

  it.scoped("an unreadable telemetry_sids.txt (a directory) is a configuration error naming the file", () =>
    Effect.gen(function* () {
      const r = yield* load({}, { dirs: ["telemetry_sids.txt"] })
      expect(r._tag === "Left" && describeFailure(r.left).exitCode).toBe(2)
      expect(r._tag === "Left" && r.left.message).toMatch(/cannot read .*telemetry_sids\.txt \(a directory\)/)
    }))
})

describe("loadRecordedHomeNet (replay)", () => {
  const recorded = (files: Record<string, string>, opts: { dirs?: ReadonlyArray<string>; yaml?: string } = {}) =>
    Effect.gen(function* () {
      const dir = yield* tempDir()
      for (const d of opts.dirs ?? []) yield* Effect.promise(() => mkdir(join(dir, d)))
      for (const [name, text] of Object.entries(files)) yield* Effect.promise(() => writeFile(join(dir, name), text))
      return yield* loadRecordedHomeNet({ suricataYaml: join(dir, opts.yaml ?? "suricata.yaml") }).pipe(Effect.either)
    })

  it.scoped("follows the recorded sensor's includes as dump and send-events do", () =>
    Effect.gen(function* () {
      const r = yield* recorded({
        "suricata.yaml": YAML,
        "installed_rules.yaml": "rule-files: []\n",
        "custom.yaml": `vars:\n  address-groups:\n    HOME_NET: "[198.51.100.0/24]"\n`
      })
      if (r._tag !== "Right") throw new Error("expected a result")
      expect(r.right.warnings).toEqual([])
      expect(r.right.local.contains(parseIp("198.51.100.7")!)).toBe(true)
      expect(r.right.local.contains(parseIp("8.8.8.8")!)).toBe(false)
      // This host's interfaces are not asked (no HostNetworks layer is provided at all).
    }))

  it.scoped("fails closed, saying so once, when an include cannot be read", () =>
    Effect.gen(function* () {
      const r = yield* recorded({ "suricata.yaml": YAML, "installed_rules.yaml": "" }, { dirs: ["custom.yaml"] })
      if (r._tag !== "Right") throw new Error("expected a result")
      expect(r.right.warnings.filter((w) => /HOME_NET cannot be fully understood/.test(w))).toHaveLength(1)
      expect(r.right.local.contains(parseIp("8.8.8.8")!)).toBe(true)
    }))

  it.scoped("a suricata.yaml that is not there is a usage error (exit 2)", () =>
    Effect.gen(function* () {
      const r = yield* recorded({}, { yaml: "missing.yaml" })
      expect(r._tag === "Left" && describeFailure(r.left).exitCode).toBe(2)
      expect(r._tag === "Left" && r.left.message).toMatch(/cannot read suricata\.yaml .*missing\.yaml/)
    }))
})

/**
 * Issue 25, point 1 and 2: each configuration let 203.0.113.7 and 2001:db8:aaaa::5 (home by Suricata's reading:
 * OISF/suricata master 398687d5d4, src/conf-yaml-loader.c and src/detect-engine-address.c) out in clear.
 * Now nothing home leaves, judged by the independent oracle.
 */
describe("issue 25 configurations: nothing home leaves", () => {
  const H = "%YAML 1.1\n---\n"
  const HOME = `"[192.168.0.0/16, 203.0.113.0/24, 2001:db8:aaaa::/48]"`
  const vars = (home: string) => `vars:\n  address-groups:\n    HOME_NET: ${home}\n    EXTERNAL_NET: "!$HOME_NET"\n`
  const cases: Record<string, Record<string, string>> = {
    "include inside a mapping": { "suricata.yaml": `${H}vars:\n  address-groups:\n    include: groups.yaml\n`, "groups.yaml": `${H}HOME_NET: ${HOME}\n` },
    "the !include tag": { "suricata.yaml": `${H}vars:\n  address-groups: !include groups.yaml\n`, "groups.yaml": `${H}HOME_NET: ${HOME}\n` },
    "two top-level include: keys": {
      "suricata.yaml": `${H}${vars(`"[10.0.0.0/8]"`)}include: installed_rules.yaml\ninclude: custom.yaml\n`,
      "installed_rules.yaml": `${H}${vars(HOME)}`,
      "custom.yaml": `${H}rule-files: [a.rules]\n`
    },
    "include before vars:": { "suricata.yaml": `${H}include: site.yaml\n${vars(HOME)}`, "site.yaml": `${H}${vars(`"[10.0.0.0/8]"`)}` },
    "nested include from the main folder": {
      "suricata.yaml": `${H}include: sub/a.yaml\n`,
      "sub/a.yaml": `${H}include: b.yaml\n`,
      "b.yaml": `${H}${vars(HOME)}`,
      "sub/b.yaml": `${H}${vars(`"[10.0.0.0/8]"`)}`
    },
    "address_groups with an underscore": { "suricata.yaml": `${H}vars:\n  address_groups:\n    HOME_NET: ${HOME}\n` },
    "only negations": { "suricata.yaml": `${H}vars:\n  address-groups:\n    HOME_NET: "[!$EXTERNAL_NET, 2001:db8:aaaa::/48]"\n    EXTERNAL_NET: "[198.51.100.0/24]"\n` },
    "IPv4 networks and only an IPv6 negation": { "suricata.yaml": `${H}vars:\n  address-groups:\n    HOME_NET: "[203.0.113.0/24, !2001:db8:bad::/48]"\n` }
  }
  const record = {
    event_type: "alert",
    src_ip: "203.0.113.7",
    dest_ip: "2001:db8:aaaa::5",
    alert: { signature_id: 1, signature: "ET TEST" },
    http: { hostname: "203.0.113.7", url: "/x?h=[2001:db8:aaaa::5]" }
  }
  const oracle = oracleNetworks(["203.0.113.0/24", "2001:db8:aaaa::/48"])
  for (const [name, files] of Object.entries(cases)) {
    it.scoped(name, () =>
      Effect.gen(function* () {
        const r = yield* load(files, { dirs: ["sub"] })
        if (r._tag !== "Right") throw new Error("expected a result")
        expect(r.right.warnings).toEqual([])
        const sent = eventToJson(makeSanitiser(r.right.local)(record).event)
        expect(localAddressesIn(sent, oracle)).toEqual([])
        expect(r.right.local.contains(parseIp("198.51.100.7")!)).toBe(false)
      }))
  }
})

/** Issue 25, point 3: an address this host had when the alert was logged is masked after it changed. */
describe("this host's networks, remembered", () => {
  const DAY = 86_400_000
  const alertFrom = (ip: string) => ({ event_type: "alert", src_ip: ip, dest_ip: "8.8.8.8", alert: { signature_id: 1 }, http: { hostname: ip } })

  const setUp = (remembered: ReadonlyArray<{ cidr: string; firstSeen: number; lastSeen: number }>) =>
    Effect.gen(function* () {
      const dir = yield* tempDir()
      const statePath = join(dir, "state.json")
      yield* Effect.promise(() => writeFile(statePath, renderState({ ...emptyState, localNetworks: remembered })))
      yield* Effect.promise(() => writeFile(join(dir, "suricata.yaml"), `vars:\n  address-groups:\n    HOME_NET: "[192.168.0.0/16]"\n`))
      return { dir, statePath }
    })

  it.scoped("a WAN address remembered in the state file is masked though the interface now has another", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(10 * DAY)
      const { dir, statePath } = yield* setUp([{ cidr: "198.51.100.33/32", firstSeen: 9 * DAY, lastSeen: 10 * DAY - 60_000 }])
      const opts = { suricataYaml: join(dir, "suricata.yaml"), sidsFile: join(dir, "none.txt"), statePath }
      const p = yield* loadPrivacy({ ...opts, maxAgeMs: DAY }).pipe(Effect.provide(HostNetworks.layerStatic(["198.51.100.34/32"])))
      const sent = eventToJson(makeSanitiser(p.local)(alertFrom("198.51.100.33")).event)
      expect(localAddressesIn(sent, oracleNetworks(["198.51.100.33/32", "198.51.100.34/32"]))).toEqual([])
      expect(p.local.explain?.(parseIp("198.51.100.33")!)).toMatch(/this host's interface, last seen/)
      // Past --max-age (and the hourly re-stamp's slack), no longer needed.
      yield* TestClock.adjust(2 * 3_600_000)
      const q = yield* loadPrivacy({ ...opts, maxAgeMs: 60_000 }).pipe(Effect.provide(HostNetworks.layerStatic(["198.51.100.34/32"])))
      expect(q.local.contains(parseIp("198.51.100.33")!)).toBe(false)
    }))

  it.scoped("send-events puts the networks on record: new ones at once, the same ones at most hourly", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(10 * DAY)
      const { dir, statePath } = yield* setUp([])
      const store = yield* StateStore.make(statePath)
      const run = (nets: ReadonlyArray<string>) =>
        loadPrivacy({ suricataYaml: join(dir, "suricata.yaml"), sidsFile: join(dir, "none.txt"), statePath, maxAgeMs: DAY }).pipe(
          Effect.flatMap((p) => rememberHostNetworks(p, DAY)),
          Effect.provide(HostNetworks.layerStatic(nets)),
          Effect.provideService(StateStore.StateStore, store)
        )
      yield* run(["198.51.100.33/32", "192.168.1.1/24"])
      const first = (yield* store.load).state.localNetworks ?? []
      expect(first.map((m) => m.cidr).sort()).toEqual(["192.168.1.1/24", "198.51.100.33/32"])
      yield* TestClock.adjust(60_000)
      yield* run(["198.51.100.33/32", "192.168.1.1/24"])
      expect((yield* store.load).state.localNetworks).toEqual(first)
      yield* TestClock.adjust(60_000)
      yield* run(["198.51.100.34/32", "192.168.1.1/24"])
      const third = (yield* store.load).state.localNetworks ?? []
      expect(third.map((m) => m.cidr).sort()).toEqual(["192.168.1.1/24", "198.51.100.33/32", "198.51.100.34/32"])
    }))
})
