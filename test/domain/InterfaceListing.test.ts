/**
 * This host's addresses from the system's listing, whatever the link state (issue 25, point 3). Fixtures:
 * fixtures/host-networks (real FreeBSD `ifconfig` output from the FreeBSD Handbook and a public parser's tests,
 * real `ip -j addr` from a Linux host, and composed OPNsense/Linux listings with a WAN that lost carrier).
 * Every address the listing shows is judged local by the independent oracle over the parsed networks.
 */
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { readFileSync } from "node:fs"
import { parseIfconfig, parseIpAddrJson } from "../../src/domain/InterfaceListing.js"
import { oracleNetworks } from "../support/PrivacyOracle.js"

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/host-networks/${name}`, import.meta.url), "utf8")

/** The addresses a listing shows, read here with a plain regex (not the parser). */
const shown = (text: string) =>
  [...text.matchAll(/"local":"([^"]+)"|"address":"([0-9a-f.:]+)"|\binet6?\s+([0-9a-f.:]+)|-->\s*([0-9a-f.:]+)/gi)]
    .map((m) => m[1] ?? m[2] ?? m[3] ?? m[4]!)
    .filter((a) => a.includes(".") ? /^\d+\.\d+\.\d+\.\d+$/.test(a) : a.includes(":") && !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(a))

const everyShownIsLocal = (text: string, cidrs: ReadonlyArray<string>) => {
  const oracle = oracleNetworks(cidrs, false)
  const addrs = shown(text)
  expect(addrs.length).toBeGreaterThan(0)
  for (const a of addrs) expect(oracle.isLocal(a), a).toBe(true)
}

describe("ifconfig -a (FreeBSD, OPNsense)", () => {
  it("reads an interface without carrier (FreeBSD Handbook: dc1, status: no carrier)", () => {
    const text = fixture("freebsd-handbook-ifconfig.txt")
    const cidrs = parseIfconfig(text)
    expect(cidrs).toContain("10.0.0.1/24")
    expect(cidrs).toEqual(["192.168.1.3/24", "10.0.0.1/24", "fe80::1/64", "::1/128", "127.0.0.1/8"])
    everyShownIsLocal(text, cidrs)
  })

  it("reads several addresses per interface and a point-to-point peer", () => {
    const text = fixture("freebsd-tun-ifconfig.txt")
    const cidrs = parseIfconfig(text)
    expect(cidrs).toEqual(expect.arrayContaining(["10.10.10.250/27", "10.10.10.56/26", "10.12.0.1/32", "10.12.0.2/32"]))
    everyShownIsLocal(text, cidrs)
  })

  it("an OPNsense WAN that lost carrier keeps its public addresses; CARP VIPs and PPPoE too", () => {
    const text = fixture("opnsense-wan-down-ifconfig.txt")
    const cidrs = parseIfconfig(text)
    expect(cidrs).toEqual(expect.arrayContaining(["203.0.113.7/24", "2001:db8:aaaa::5/64", "192.168.1.254/32", "198.51.100.33/32", "2001:db8:aaaa:1::1/64"]))
    everyShownIsLocal(text, cidrs)
  })

  it("netmasks: hex, dotted, CIDR-suffixed; a malformed one still masks the address itself", () => {
    expect(parseIfconfig("\tinet 10.1.2.3 netmask 255.255.0.0\n\tinet 10.9.9.9/20 broadcast 10.9.15.255\n\tinet 10.5.5.5 netmask 0xff00ff00\n\tinet6 fd00::1%em0/48 flags 0x0\n"))
      .toEqual(["10.1.2.3/16", "10.9.9.9/20", "10.5.5.5/32", "fd00::1/48"])
  })

  it("a slash that is not a prefix length gives nothing (found by the property below: `inet /`)", () => {
    expect(parseIfconfig("\tinet /\n\tinet 10.0.0.1/\n\tinet6 fd00::1/x\n")).toEqual([])
  })

  it("any text: never throws, gives only CIDR-shaped texts", () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom("\tinet ", "inet6 ", " netmask ", "0xffffff00", " --> ", "prefixlen", "10.0.0.1", "::1", "/", "/24")), { maxLength: 30 }), (parts) => {
      for (const c of parseIfconfig(parts.join(""))) expect(c).toMatch(/\/\d+$/)
    }))
  })
})

describe("ip -j addr (Linux)", () => {
  it("reads a real listing", () => {
    const text = fixture("linux-ip-j-addr.json")
    const cidrs = parseIpAddrJson(text)!
    expect(cidrs).toEqual(expect.arrayContaining(["127.0.0.1/8", "::1/128"]))
    everyShownIsLocal(text, cidrs)
  })

  it("a link DOWN with NO-CARRIER keeps its addresses; a PPP peer counts", () => {
    const text = fixture("linux-ip-j-addr-down.json")
    const cidrs = parseIpAddrJson(text)!
    expect(cidrs).toEqual(expect.arrayContaining(["203.0.113.7/24", "2001:db8:aaaa::5/64", "198.51.100.33/32", "198.51.100.1/32"]))
    everyShownIsLocal(text, cidrs)
  })

  it("what is not that JSON is undefined (the caller falls back)", () => {
    for (const t of ["", "not json", "{}", "42", "Object \"addr\" is unknown"]) expect(parseIpAddrJson(t), t).toBeUndefined()
  })
})
