/**
 * HOME_NET as Suricata reads it. The expectations come from reading OISF/suricata (master 398687d5d4,
 * 8.0.1-1578; the loader is unchanged since 7.0.17): src/conf-yaml-loader.c (ConfYamlParse,
 * SCConfYamlHandleInclude), src/conf.c (SCConfNodeLookupChild, SCConfNodePrune, SCConfNodeGetNodeOrCreate),
 * src/detect-engine-address.c (DetectAddressParseInternal, DetectAddressSetup, DetectAddressMergeNot),
 * src/util-rule-vars.c and doc/userguide/configuration/includes.rst. Membership is judged by the independent
 * oracle (test/support/PrivacyOracle.ts), never by the sanitiser's own network set alone.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as SuricataConfig from "../../src/adapters/SuricataConfig.js"
import { homeNetFromConfig, homeNetFromFlag, type HomeNet } from "../../src/domain/HomeNet.js"
import { parseIp } from "../../src/domain/Ip.js"
import { makeNetworkSet } from "../../src/domain/Network.js"
import { MAX_INCLUDE_DEPTH } from "../../src/domain/SuricataYaml.js"
import { oracleGroupMember } from "../support/PrivacyOracle.js"

const MAIN = "/etc/suricata/suricata.yaml"
const HEADER = "%YAML 1.1\n---\n"

/** HOME_NET from a tree of files (path → text; an Error is an unreadable file). */
const homeOf = (files: Record<string, string | Error>, main = MAIN): HomeNet => {
  const load = Effect.runSync(SuricataConfig.loadConfig(main).pipe(Effect.provide(SuricataConfig.layerStatic(files))))
  if (load._tag === "absent") throw new Error(`unexpected ${load._tag}`)
  return homeNetFromConfig(load)
}
const fromText = (text: string) => homeOf({ [MAIN]: text })

const contains = (h: HomeNet, addr: string) => makeNetworkSet(h.cidrs).contains(parseIp(addr)!)

/** The sanitiser's HOME_NET holds exactly what the oracle says Suricata's does, for these addresses. */
const agreesWithOracle = (h: HomeNet, expr: string, vars: Record<string, string>, addrs: ReadonlyArray<string>) => {
  expect(h.failure).toBeUndefined()
  for (const a of addrs) expect(contains(h, a), a).toBe(oracleGroupMember(expr, vars, a))
}

const failsClosed = (h: HomeNet, why: RegExp) => {
  expect(h.failure).toMatch(why)
  expect(contains(h, "8.8.8.8")).toBe(true)
  expect(contains(h, "203.0.113.7")).toBe(true)
  expect(contains(h, "2001:db8:aaaa::5")).toBe(true)
}

const PUBLIC_HOME = `"[192.168.0.0/16, 203.0.113.0/24, 2001:db8:aaaa::/48]"`
const groups = (home: string, indent = "    ") => `${indent}HOME_NET: ${home}\n${indent}EXTERNAL_NET: "!$HOME_NET"\n`

describe("HOME_NET from suricata.yaml", () => {
  it("reads vars.address-groups.HOME_NET under a %YAML 1.1 header", () => {
    const h = fromText(`${HEADER}vars:\n  address-groups:\n${groups(PUBLIC_HOME)}  port-groups:\n    HTTP_PORTS: "80"\n`)
    expect(h.warnings).toEqual([])
    for (const a of ["203.0.113.7", "2001:db8:aaaa::5", "192.168.9.9"]) expect(contains(h, a), a).toBe(true)
    for (const a of ["203.0.114.9", "2001:db8:aaab::1"]) expect(contains(h, a), a).toBe(false)
    expect(h.cidrs[0]!.origin).toBe(`HOME_NET in ${MAIN}`)
  })

  it("`any` makes every address local, with a warning", () => {
    const h = fromText(`vars:\n  address-groups:\n    HOME_NET: "any"\n`)
    expect(contains(h, "8.8.8.8")).toBe(true)
    expect(contains(h, "2001:4860::1")).toBe(true)
    expect(h.warnings.join(" ")).toMatch(/any/)
  })

  it("an undefined, empty or looping $VAR fails closed", () => {
    failsClosed(fromText(`vars:\n  address-groups:\n    HOME_NET: "[$NOPE, 10.9.0.0/16]"\n`), /NOPE/)
    failsClosed(fromText(`vars:\n  address-groups:\n    HOME_NET: "[$E, 10.9.0.0/16]"\n    E: ""\n`), /\$E/)
    failsClosed(fromText(`vars:\n  address-groups:\n    HOME_NET: "[$LOOP, 10.9.0.0/16]"\n    LOOP: "$LOOP"\n`), /deeper|loop/)
  })

  it("what Suricata's address parser refuses fails closed", () => {
    // inet_pton: no leading zeros, no trailing spaces; CIDR-compatible netmasks only (ticket #5168); a <= b.
    for (const v of ["[10.0.0.0/8, bogus]", "[300.1.1.1/8]", "[!bogus]", "10.0.0.0/255.0.255.0", "10.0.0.9-10.0.0.1",
      "[]", "[,]", "[010.0.0.1]", "[10.0.0.0/8 ]", "[10.0.0.0/33]", "!any", "[1.2.3.4, !1.2.3.4]", "[10.0.0.0/8", "10.0.0.0/8]"]) {
      failsClosed(fromText(`vars:\n  address-groups:\n    HOME_NET: "${v}"\n`), /HOME_NET/)
    }
  })

  it("a missing HOME_NET, or one with no string value, fails closed", () => {
    for (const y of ["", "vars: {}\n", "vars:\n  address-groups:\n    EXTERNAL_NET: any\n", "just a string", "- a\n- b\n",
      "vars:\n  address-groups:\n    HOME_NET: [10.0.0.0/8]\n", "vars:\n  address-groups:\n    HOME_NET: ~\n"]) {
      failsClosed(fromText(y), /HOME_NET/)
    }
  })

  it("invalid YAML and tags not understood fail closed, even around a readable HOME_NET", () => {
    for (const y of ["vars: [\n", "a: b: c\n  - d", `vars:\n  address-groups:\n    HOME_NET: "[203.0.113.0/24]"\noutputs: [\n`]) {
      failsClosed(fromText(y), /not valid YAML/)
    }
    failsClosed(fromText(`vars:\n  address-groups:\n    HOME_NET: !secret "[10.0.0.0/8]"\n`), /tag/)
    failsClosed(fromText(`vars:\n  address-groups: !!map\n    HOME_NET: "[10.0.0.0/8]"\n`), /tag/)
  })

  it("reads dotted keys, netmasks and ranges", () => {
    const h = fromText(`vars.address-groups.HOME_NET: "[198.51.100.0/255.255.255.0, 10.1.1.10-10.1.1.20, fd00::5-fd00::9, !100.0.0.1]"\n`)
    expect(h.failure).toBeUndefined()
    for (const a of ["198.51.100.200", "10.1.1.10", "10.1.1.20", "fd00::5", "fd00::9"]) expect(contains(h, a), a).toBe(true)
    for (const a of ["10.1.1.9", "10.1.1.21", "fd00::a", "100.0.0.1", "198.51.101.1"]) expect(contains(h, a), a).toBe(false)
  })
})

describe("Suricata's address-group semantics (issue 25, point 2)", () => {
  const ADDRS = ["203.0.113.7", "198.51.100.7", "192.168.1.1", "8.8.8.8", "2001:db8:aaaa::5", "2001:db8:bad::1", "2001:4860::1"]

  it("a group made only of negations is every address except those (DetectAddressMergeNot step 0)", () => {
    const vars = { EXTERNAL_NET: "[198.51.100.0/24]" }
    const h = fromText(`vars:\n  address-groups:\n    HOME_NET: "!$EXTERNAL_NET"\n    EXTERNAL_NET: "[198.51.100.0/24]"\n`)
    agreesWithOracle(h, "!$EXTERNAL_NET", vars, ADDRS)
    expect(contains(h, "203.0.113.7")).toBe(true)
    expect(contains(h, "198.51.100.7")).toBe(false)
    expect(h.warnings).toEqual([])
  })

  it("IPv4 networks and only IPv6 negations make every other IPv6 address home", () => {
    const expr = "[192.168.0.0/16, 203.0.113.0/24, !2001:db8:bad::/48]"
    const h = fromText(`vars:\n  address-groups:\n    HOME_NET: "${expr}"\n`)
    agreesWithOracle(h, expr, {}, ADDRS)
    expect(contains(h, "2001:db8:aaaa::5")).toBe(true)
    expect(contains(h, "2001:db8:bad::1")).toBe(false)
    expect(contains(h, "8.8.8.8")).toBe(false)
    expect(h.warnings).toEqual([])
  })

  it("an IPv4-mapped IPv6 network is home as the sanitiser reads it (as IPv4), a wider IPv6 range is not IPv4", () => {
    const narrow = fromText(`vars:\n  address-groups:\n    HOME_NET: "[::ffff:203.0.113.0/120]"\n`)
    expect(contains(narrow, "::ffff:203.0.113.9")).toBe(true)
    expect(contains(narrow, "203.0.113.9")).toBe(true)
    expect(contains(narrow, "203.0.114.1")).toBe(false)
    const wide = fromText(`vars:\n  address-groups:\n    HOME_NET: "[192.168.0.0/16, !2001:db8:bad::/48]"\n`)
    expect(contains(wide, "8.8.8.8")).toBe(false)
  })

  it("nested groups, variables and negated groups (AddressTestParse-style expressions)", () => {
    const vars = { LAN: "[10.20.0.0/16, $GUEST]", GUEST: "100.100.0.0/16", DMZ: "198.51.100.0/24" }
    for (const expr of [
      "[$LAN, [$DMZ, !198.51.100.7], !203.0.113.0/24, 192.0.2.1]",
      "[192.168.0.0/16,![192.168.1.0/24,192.168.3.0/24],!192.168.5.0/24]",
      "[![192.168.0.0/16,![192.168.1.0/24,192.168.3.0/24],!192.168.5.0/24]]",
      "[203.0.113.0/24, !!203.0.113.128/25]",
      "[!$DMZ, 2001:db8::/32]"
    ]) {
      const y = fromText(`vars:\n  address-groups:\n    HOME_NET: "${expr}"\n${Object.entries(vars).map(([k, v]) => `    ${k}: "${v}"\n`).join("")}`)
      agreesWithOracle(y, expr, vars, [...ADDRS, "10.20.1.1", "100.100.5.5", "198.51.100.9", "192.0.2.1", "192.168.1.9", "192.168.2.9", "192.168.5.9", "203.0.113.200", "2001:db8::1"])
    }
  })
})

describe("HOME_NET through includes (issue 25, point 1)", () => {
  const HOME_ONLY = (home: string) => `${HEADER}HOME_NET: ${home}\n`

  it("an include inside a mapping is inlined there (user guide, 'Include Inside a Mapping')", () => {
    const h = homeOf({
      [MAIN]: `${HEADER}vars:\n  address-groups:\n    include: address-groups.yaml\n`,
      "/etc/suricata/address-groups.yaml": HOME_ONLY(PUBLIC_HOME)
    })
    expect(contains(h, "203.0.113.7")).toBe(true)
    expect(contains(h, "2001:db8:aaaa::5")).toBe(true)
    expect(h.cidrs[0]!.origin).toBe("HOME_NET in /etc/suricata/address-groups.yaml")
  })

  it("the !include tag makes the file the key's content", () => {
    const h = homeOf({
      [MAIN]: `${HEADER}vars:\n  address-groups: !include groups.yaml\n`,
      "/etc/suricata/groups.yaml": HOME_ONLY(PUBLIC_HOME)
    })
    expect(contains(h, "203.0.113.7")).toBe(true)
    expect(contains(h, "2001:db8:aaaa::5")).toBe(true)
  })

  it("two top-level include: keys are both read, in order (OPNsense's template before 24.1)", () => {
    const h = homeOf({
      [MAIN]: `${HEADER}vars:\n  address-groups:\n${groups(`"[192.168.0.0/16]"`)}include: installed_rules.yaml\ninclude: custom.yaml\n`,
      "/etc/suricata/installed_rules.yaml": `${HEADER}vars:\n  address-groups:\n${groups(PUBLIC_HOME)}`,
      "/etc/suricata/custom.yaml": `${HEADER}rule-files: [a.rules]\n`
    })
    expect(contains(h, "203.0.113.7")).toBe(true)
    expect(h.cidrs[0]!.origin).toBe("HOME_NET in /etc/suricata/installed_rules.yaml")
  })

  it("an include before vars: is inlined there, and the later vars: redefines it", () => {
    const h = homeOf({
      [MAIN]: `${HEADER}include: site.yaml\nvars:\n  address-groups:\n${groups(PUBLIC_HOME)}`,
      "/etc/suricata/site.yaml": `${HEADER}vars:\n  address-groups:\n${groups(`"[198.51.100.0/24]"`)}`
    })
    expect(contains(h, "203.0.113.7")).toBe(true)
    expect(contains(h, "198.51.100.7")).toBe(false)
  })

  it("an include inside an included file is found in the MAIN config's folder", () => {
    const h = homeOf({
      [MAIN]: `${HEADER}include: conf.d/a.yaml\n`,
      "/etc/suricata/conf.d/a.yaml": `${HEADER}include: b.yaml\n`,
      "/etc/suricata/b.yaml": `${HEADER}vars:\n  address-groups:\n${groups(PUBLIC_HOME)}`,
      "/etc/suricata/conf.d/b.yaml": `${HEADER}vars:\n  address-groups:\n${groups(`"[198.51.100.0/24]"`)}`
    })
    expect(contains(h, "203.0.113.7")).toBe(true)
    expect(contains(h, "198.51.100.7")).toBe(false)
  })

  it("address_groups: is address-groups (conf-yaml-loader.c Mangle), HOME_NET under it keeps its _", () => {
    const h = fromText(`${HEADER}vars:\n  address_groups:\n${groups(PUBLIC_HOME)}`)
    expect(contains(h, "203.0.113.7")).toBe(true)
    // A second `address_groups:` is a new node (the lookup is by the unrenamed name): the first one is read.
    const twice = fromText(`${HEADER}vars:\n  address_groups:\n${groups(PUBLIC_HOME)}  address_groups:\n${groups(`"[198.51.100.0/24]"`)}`)
    expect(contains(twice, "203.0.113.7")).toBe(true)
  })

  it("later definitions win in document order; a key defined again is emptied first", () => {
    const h = fromText(`${HEADER}vars:\n  address-groups:\n${groups(PUBLIC_HOME)}  port-groups: {}\nvars:\n  port-groups:\n    HTTP_PORTS: "80"\n`)
    failsClosed(h, /no vars.address-groups.HOME_NET/)
    const dotted = fromText(`${HEADER}vars:\n  address-groups:\n${groups(`"[198.51.100.0/24]"`)}vars.address-groups.HOME_NET: ${PUBLIC_HOME}\n`)
    expect(contains(dotted, "203.0.113.7")).toBe(true)
  })

  it("aliases are skipped by Suricata's loader: they never redefine HOME_NET (and what follows shifts)", () => {
    // YAML_ALIAS_EVENT has no case in ConfYamlParse: `HOME_NET: *lan` leaves HOME_NET emptied, or takes the
    // next scalar as its value; either way not the alias's target, and here Suricata would refuse it.
    failsClosed(fromText(`${HEADER}vars:\n  address-groups:\n    LAN: &lan ${PUBLIC_HOME}\n    HOME_NET: *lan\n`), /HOME_NET/)
    failsClosed(fromText(`${HEADER}vars:\n  address-groups:\n    LAN: &lan ${PUBLIC_HOME}\n    HOME_NET: *lan\n    EXTERNAL_NET: "!$HOME_NET"\n`), /HOME_NET/)
    // An anchor is only a name: the anchored value is read.
    expect(contains(fromText(`${HEADER}vars:\n  address-groups:\n    HOME_NET: &h ${PUBLIC_HOME}\n`), "203.0.113.7")).toBe(true)
  })

  it("an absent suricata.yaml is not an error; an absent, unreadable, cyclic or mapping include fails closed", () => {
    const load = Effect.runSync(SuricataConfig.loadConfig(MAIN).pipe(Effect.provide(SuricataConfig.layerStatic({}))))
    expect(load._tag).toBe("absent")
    const main = (rest: string) => `${HEADER}vars:\n  address-groups:\n    HOME_NET: "[10.0.0.0/8]"\n${rest}`
    const cases: Array<[Record<string, string | Error>, RegExp]> = [
      [{ [MAIN]: main("include: gone.yaml\n") }, /gone\.yaml: included but not found/],
      [{ [MAIN]: main("include: d\n"), "/etc/suricata/d": new Error("a directory") }, /cannot be read \(a directory\)/],
      [{ [MAIN]: main("include: suricata.yaml\n") }, /includes itself/],
      [{ [MAIN]: main("include: [1.yaml]\n"), "/etc/suricata/1.yaml": "include: 2.yaml\n", "/etc/suricata/2.yaml": "include: 1.yaml\n" }, /includes itself/],
      [{ [MAIN]: main("include: {a: b}\n") }, /mapping/],
      [{ [MAIN]: main("vars:\n  address-groups:\n    - !include x.yaml\n"), "/etc/suricata/x.yaml": "a: b\n" }, /list/]
    ]
    for (const [files, why] of cases) failsClosed(homeOf(files), why)
  })

  it("refuses includes nested deeper than the bound", () => {
    const files: Record<string, string> = { [MAIN]: `include: 0.yaml\n` }
    for (let i = 0; i < MAX_INCLUDE_DEPTH + 2; i++) files[`/etc/suricata/${i}.yaml`] = `include: ${i + 1}.yaml\n`
    failsClosed(homeOf(files), /deeper/)
  })
})

describe("--home-net", () => {
  it("takes the same syntax as the YAML value", () => {
    const h = homeNetFromFlag("10.0.0.0/8,fd00::/8")
    expect(h.warnings).toEqual([])
    expect(contains(h, "fd12::1")).toBe(true)
    expect(contains(h, "10.1.1.1")).toBe(true)
    expect(homeNetFromFlag("[203.0.113.0/24]").cidrs).toHaveLength(1)
  })

  it("a bad entry or a YAML variable is a failure (the command exits 2)", () => {
    for (const v of ["$LAN", "10.0.0.0/8,bogus", "10.0.0.0/33", "[10.0.0.0/8"]) expect(homeNetFromFlag(v).failure, v).toBeDefined()
  })
})
