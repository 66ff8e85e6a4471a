import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as SuricataConfig from "../../src/adapters/SuricataConfig.js"
import { includeTree } from "../../src/adapters/SuricataConfig.js"
import {
  homeNetFromDocuments,
  homeNetFromFlag,
  MAX_INCLUDE_DEPTH,
  resolveAddressGroup
} from "../../src/domain/HomeNet.js"
import { parseIp } from "../../src/domain/Ip.js"

/** One suricata.yaml without includes, as the include tree gives it. */
const fromText = (text: string) => homeNetFromDocuments([{ path: "suricata.yaml", text }])
import { makeNetworkSet } from "../../src/domain/Network.js"

const contains = (cidrs: Parameters<typeof makeNetworkSet>[0], addr: string) =>
  makeNetworkSet(cidrs).contains(parseIp(addr)!)

/** The relevant part of an OPNsense suricata.yaml, as Suricata ships it (YAML 1.1 header included). */
const SURICATA_YAML = `%YAML 1.1
---
# Suricata configuration
vars:
  address-groups:
    HOME_NET: "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12,203.0.113.0/24,2001:db8:1::/48]"
    EXTERNAL_NET: "!$HOME_NET"
    HTTP_SERVERS: "$HOME_NET"
  port-groups:
    HTTP_PORTS: "80"
default-log-dir: /var/log/suricata/
outputs:
  - eve-log:
      enabled: yes
`

describe("HOME_NET from suricata.yaml", () => {
  it("reads vars.address-groups.HOME_NET under a %YAML 1.1 header", () => {
    const h = fromText(SURICATA_YAML)
    expect(h.warnings).toEqual([])
    expect(h.cidrs).toHaveLength(5)
    expect(contains(h.cidrs, "203.0.113.9")).toBe(true)
    expect(contains(h.cidrs, "2001:db8:1:ffff::1")).toBe(true)
    expect(contains(h.cidrs, "203.0.114.9")).toBe(false)
  })

  it("resolves $VAR references, nested groups, and ignores ! negations", () => {
    const yaml = `
vars:
  address-groups:
    HOME_NET: "[$LAN, [$DMZ, !198.51.100.7], !203.0.113.0/24, 192.0.2.1]"
    LAN: "[10.20.0.0/16, $GUEST]"
    GUEST: "100.100.0.0/16"
    DMZ: "198.51.100.0/24"
`
    const h = fromText(yaml)
    expect(h.warnings).toEqual([])
    for (const a of ["10.20.1.1", "100.100.5.5", "198.51.100.7", "192.0.2.1"]) expect(contains(h.cidrs, a)).toBe(true)
    // A negated range is not added by the negation (it is not local unless something else makes it so).
    expect(contains(h.cidrs, "203.0.113.5")).toBe(false)
  })

  it("`any` makes every address local, with a warning", () => {
    const h = fromText(`vars:\n  address-groups:\n    HOME_NET: "any"\n`)
    expect(contains(h.cidrs, "8.8.8.8")).toBe(true)
    expect(contains(h.cidrs, "2001:4860::1")).toBe(true)
    expect(h.warnings.join(" ")).toMatch(/any/)
  })

  // Fail closed (issue 10, class 4): what cannot be fully understood makes every address local, said once.
  const failsClosed = (h: ReturnType<typeof homeNetFromDocuments>, why: RegExp) => {
    expect(h.failure).toMatch(why)
    expect(contains(h.cidrs, "8.8.8.8")).toBe(true)
    expect(contains(h.cidrs, "2001:4860::1")).toBe(true)
  }

  it("an undefined or self-referencing $VAR fails closed", () => {
    failsClosed(fromText(`vars:\n  address-groups:\n    HOME_NET: "[$NOPE, 10.9.0.0/16]"\n`), /NOPE/)
    failsClosed(fromText(`vars:\n  address-groups:\n    HOME_NET: "[$LOOP, 10.9.0.0/16]"\n    LOOP: "$LOOP"\n`), /LOOP/)
  })

  it("an entry that is not an address, network or range fails closed, negated or not", () => {
    for (const v of ["[10.0.0.0/8, bogus]", "[300.1.1.1/8]", "[!bogus]", "10.0.0.0/255.0.255.0", "10.0.0.9-10.0.0.1", "[]", "[,]"]) {
      failsClosed(fromText(`vars:\n  address-groups:\n    HOME_NET: "${v}"\n`), /HOME_NET/)
    }
  })

  it("a missing HOME_NET fails closed", () => {
    for (const y of ["", "vars: {}\n", "vars:\n  address-groups:\n    EXTERNAL_NET: any\n", "just a string", "- a\n- b\n"]) {
      failsClosed(fromText(y), /HOME_NET/)
    }
  })

  it("invalid YAML fails closed and says so, even around a readable HOME_NET", () => {
    for (const y of ["vars: [\n", "a: b: c\n  - d", "\t- x: [}", `vars:\n  address-groups:\n    HOME_NET: "[203.0.113.0/24]"\noutputs: [\n`]) {
      failsClosed(fromText(y), /not valid YAML/)
    }
  })

  it("unbalanced brackets fail closed, never a crash", () => {
    for (const v of ["[10.0.0.0/8", "[10.0.0.0/8, [192.168.0.0/16", "[[[[10.0.0.0/8", "10.0.0.0/8]", "]["]) {
      expect(resolveAddressGroup(v, {}).problems.length).toBeGreaterThan(0)
    }
  })

  it("reads dotted keys, netmasks, ranges and double negation", () => {
    const h = fromText(`vars.address-groups.HOME_NET: "[198.51.100.0/255.255.255.0, 10.1.1.10-10.1.1.20, fd00::5-fd00::9, ![!192.0.2.0/24], !!203.0.113.0/24, !100.0.0.1]"\n`)
    expect(h.failure).toBeUndefined()
    for (const a of ["198.51.100.200", "10.1.1.10", "10.1.1.20", "fd00::5", "fd00::9", "192.0.2.7", "203.0.113.7"]) expect(contains(h.cidrs, a), a).toBe(true)
    for (const a of ["10.1.1.9", "10.1.1.21", "fd00::a", "100.0.0.1", "198.51.101.1"]) expect(contains(h.cidrs, a), a).toBe(false)
  })

  it("a suricata.yaml whose include could not be read is not fully understood", () => {
    const text = `include: custom.yaml\nvars:\n  address-groups:\n    HOME_NET: "[10.0.0.0/8]"\n`
    failsClosed(homeNetFromDocuments([{ path: "suricata.yaml", text }, { path: "custom.yaml", problem: "not readable (EACCES)" }]), /custom\.yaml/)
  })
})

describe("HOME_NET through include (issue 10, class 4)", () => {
  const main = (rest: string) => `%YAML 1.1\n---\nvars:\n  address-groups:\n    HOME_NET: "[10.0.0.0/8]"\n${rest}`
  const tree = (files: Record<string, string | Error>) =>
    Effect.runSync(includeTree("/etc/suricata/suricata.yaml").pipe(Effect.provide(SuricataConfig.layerStatic(files))))

  it("follows OPNsense's include list, relative to the including file; the later definition wins", () => {
    const docs = tree({
      "/etc/suricata/suricata.yaml": main("include: [installed_rules.yaml, custom.yaml]\n"),
      "/etc/suricata/installed_rules.yaml": "rule-files: [a.rules]\n",
      "/etc/suricata/custom.yaml": `vars:\n  address-groups:\n    HOME_NET: "[198.51.100.0/24]"\n`
    })!
    expect(docs.map((d) => d.path)).toEqual(["/etc/suricata/suricata.yaml", "/etc/suricata/installed_rules.yaml", "/etc/suricata/custom.yaml"])
    const h = homeNetFromDocuments(docs)
    expect(contains(h.cidrs, "198.51.100.1")).toBe(true)
    expect(contains(h.cidrs, "10.0.0.1")).toBe(false)
    expect(h.cidrs[0]!.origin).toBe("HOME_NET in /etc/suricata/custom.yaml")
  })

  it("a string include, nested includes, and a variable defined in another file", () => {
    const h = homeNetFromDocuments(tree({
      "/etc/suricata/suricata.yaml": main("include: conf.d/a.yaml\n").replace("[10.0.0.0/8]", "[$LAN]"),
      "/etc/suricata/conf.d/a.yaml": "include: ../b.yaml\n",
      "/etc/suricata/b.yaml": `vars.address-groups.LAN: "203.0.113.0/24"\n`
    })!)
    expect(h.failure).toBeUndefined()
    expect(contains(h.cidrs, "203.0.113.9")).toBe(true)
  })

  it("an absent suricata.yaml is not an error; an absent, unreadable or cyclic include fails closed", () => {
    expect(tree({})).toBeUndefined()
    const cases: Array<[Record<string, string | Error>, RegExp]> = [
      [{ "/etc/suricata/suricata.yaml": main("include: gone.yaml\n") }, /gone\.yaml: included but not found/],
      [{ "/etc/suricata/suricata.yaml": main("include: d\n"), "/etc/suricata/d": new Error("a directory") }, /cannot be read \(a directory\)/],
      [{ "/etc/suricata/suricata.yaml": main("include: suricata.yaml\n") }, /includes itself/],
      [{ "/etc/suricata/suricata.yaml": main("include: [1.yaml]\n"), "/etc/suricata/1.yaml": "include: 2.yaml\n", "/etc/suricata/2.yaml": "include: 1.yaml\n" }, /includes itself/],
      [{ "/etc/suricata/suricata.yaml": main("include: 42\n") }, /HOME_NET|include/]
    ]
    for (const [files, why] of cases) {
      const h = homeNetFromDocuments(tree(files)!)
      expect(h.failure).toMatch(why)
      expect(contains(h.cidrs, "8.8.8.8")).toBe(true)
    }
  })

  it("refuses includes nested deeper than the bound", () => {
    const files: Record<string, string> = { "/etc/suricata/suricata.yaml": main("include: 0.yaml\n") }
    for (let i = 0; i < MAX_INCLUDE_DEPTH + 2; i++) files[`/etc/suricata/${i}.yaml`] = `include: ${i + 1}.yaml\n`
    expect(homeNetFromDocuments(tree(files)!).failure).toMatch(/deeper/)
  })
})

describe("--home-net", () => {
  it("takes the same syntax as the YAML value", () => {
    const h = homeNetFromFlag("10.0.0.0/8,fd00::/8")
    expect(h.warnings).toEqual([])
    expect(contains(h.cidrs, "fd12::1")).toBe(true)
    expect(contains(h.cidrs, "10.1.1.1")).toBe(true)
    expect(homeNetFromFlag("[203.0.113.0/24]").cidrs).toHaveLength(1)
  })

  it("a bad entry or a YAML variable is a failure (the command exits 2)", () => {
    for (const v of ["$LAN", "10.0.0.0/8,bogus", "10.0.0.0/33", "[10.0.0.0/8"]) expect(homeNetFromFlag(v).failure, v).toBeDefined()
  })
})
