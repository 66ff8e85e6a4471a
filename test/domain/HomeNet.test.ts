import { describe, expect, it } from "@effect/vitest"
import { homeNetFromFlag, homeNetFromYaml, resolveAddressGroup } from "../../src/domain/HomeNet.js"
import { parseIp } from "../../src/domain/Ip.js"
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
    const h = homeNetFromYaml(SURICATA_YAML)
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
    const h = homeNetFromYaml(yaml)
    expect(h.warnings).toEqual([])
    for (const a of ["10.20.1.1", "100.100.5.5", "198.51.100.7", "192.0.2.1"]) expect(contains(h.cidrs, a)).toBe(true)
    // A negated range is not added by the negation (it is not local unless something else makes it so).
    expect(contains(h.cidrs, "203.0.113.5")).toBe(false)
  })

  it("`any` makes every address local, with a warning", () => {
    const h = homeNetFromYaml(`vars:\n  address-groups:\n    HOME_NET: "any"\n`)
    expect(contains(h.cidrs, "8.8.8.8")).toBe(true)
    expect(contains(h.cidrs, "2001:4860::1")).toBe(true)
    expect(h.warnings.join(" ")).toMatch(/any/)
  })

  it("an undefined or self-referencing $VAR is a warning, the rest still counts", () => {
    const h = homeNetFromYaml(`vars:\n  address-groups:\n    HOME_NET: "[$NOPE, $LOOP, 10.9.0.0/16]"\n    LOOP: "$LOOP"\n`)
    expect(contains(h.cidrs, "10.9.1.1")).toBe(true)
    expect(h.warnings).toHaveLength(2)
    expect(h.warnings.join(" ")).toMatch(/NOPE/)
    expect(h.warnings.join(" ")).toMatch(/LOOP/)
  })

  it("an entry that is not a network is a warning, never a crash", () => {
    const h = homeNetFromYaml(`vars:\n  address-groups:\n    HOME_NET: "[10.0.0.0/8, bogus, 300.1.1.1/8]"\n`)
    expect(h.cidrs).toHaveLength(1)
    expect(h.warnings).toHaveLength(2)
  })

  it("a missing HOME_NET is a warning and no networks", () => {
    for (const y of ["", "vars: {}\n", "vars:\n  address-groups:\n    EXTERNAL_NET: any\n", "just a string", "- a\n- b\n"]) {
      const h = homeNetFromYaml(y)
      expect(h.cidrs).toEqual([])
      expect(h.warnings).toHaveLength(1)
    }
  })

  it("invalid YAML is a warning that says so, not a crash", () => {
    for (const y of ["vars: [\n", "a: b: c\n  - d", "\t- x: [}", "vars:\n  address-groups\n    HOME_NET: 10.0.0.0/8\n"]) {
      const h = homeNetFromYaml(y)
      expect(h.cidrs).toEqual([])
      expect(h.warnings).toHaveLength(1)
      expect(h.warnings[0]).toMatch(/not valid YAML/)
    }
  })

  it("a syntax error elsewhere does not hide a readable HOME_NET", () => {
    const h = homeNetFromYaml(`vars:\n  address-groups:\n    HOME_NET: "[203.0.113.0/24]"\noutputs: [\n`)
    expect(contains(h.cidrs, "203.0.113.1")).toBe(true)
    expect(h.warnings.join(" ")).toMatch(/not valid YAML/)
  })

  it("unbalanced brackets are read leniently, never a crash", () => {
    for (const v of ["[10.0.0.0/8", "[10.0.0.0/8, [192.168.0.0/16", "[[[[10.0.0.0/8", "10.0.0.0/8]", "[]", "[,]", "]["]) {
      const r = resolveAddressGroup(v, {})
      expect(Array.isArray(r.warnings)).toBe(true)
    }
    expect(contains(resolveAddressGroup("[10.0.0.0/8, [192.168.0.0/16", {}).cidrs, "192.168.1.1")).toBe(true)
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

  it("cannot refer to YAML variables", () => {
    expect(resolveAddressGroup("$LAN", {}).warnings).toHaveLength(1)
  })
})
