import { describe, expect, it } from "@effect/vitest"
import { parseIp } from "../../src/domain/Ip.js"
import { localNetworks, makeNetworkSet, parseCidr, parseCidrs } from "../../src/domain/Network.js"

const inSet = (cidrs: ReadonlyArray<string>, addr: string) => {
  const { cidrs: parsed, invalid } = parseCidrs(cidrs)
  expect(invalid).toEqual([])
  return makeNetworkSet(parsed).contains(parseIp(addr)!)
}

describe("parseCidr", () => {
  it("reads networks and bare addresses", () => {
    expect(parseCidr("10.0.0.0/8")?.prefix).toBe(8)
    expect(parseCidr(" 10.0.0.0/8 ")?.prefix).toBe(8)
    expect(parseCidr("192.168.1.1")?.prefix).toBe(32)
    expect(parseCidr("fd00::/8")?.prefix).toBe(8)
    expect(parseCidr("fd00::1")?.prefix).toBe(128)
  })

  it("turns an IPv4-mapped network into the IPv4 network", () => {
    const c = parseCidr("::ffff:10.0.0.0/104")
    expect(c).toEqual({ ip: { kind: "v4", n: 10 * 2 ** 24 }, prefix: 8 })
  })

  it.each(["10.0.0.0/33", "fd00::/129", "10.0.0.0/", "10.0.0.0/a", "10.0.0.0/-1", "any", "", "10.0.0/8", "$HOME_NET"])(
    "rejects %j",
    (s) => {
      expect(parseCidr(s)).toBeUndefined()
    }
  )

  it("parseCidrs returns what it could not read", () => {
    expect(parseCidrs(["10.0.0.0/8", "nope"]).invalid).toEqual(["nope"])
  })
})

describe("network sets", () => {
  it("match by prefix, ignoring host bits of the network", () => {
    expect(inSet(["10.1.2.3/8"], "10.200.0.1")).toBe(true)
    expect(inSet(["10.0.0.0/8"], "11.0.0.0")).toBe(false)
    expect(inSet(["192.0.2.0/24"], "192.0.2.255")).toBe(true)
    expect(inSet(["192.0.2.0/24"], "192.0.3.0")).toBe(false)
    expect(inSet(["0.0.0.0/0"], "8.8.8.8")).toBe(true)
    expect(inSet(["2001:db8::/33"], "2001:db8:7fff::1")).toBe(true)
    expect(inSet(["2001:db8::/33"], "2001:db8:8000::1")).toBe(false)
    expect(inSet(["::/0"], "2001:db8::1")).toBe(true)
  })

  it("judge IPv4-mapped addresses as IPv4", () => {
    expect(inSet(["10.0.0.0/8"], "::ffff:10.1.2.3")).toBe(true)
    expect(inSet(["10.0.0.0/8"], "::ffff:a01:203")).toBe(true)
    // A v6 network does not make mapped addresses local: they are IPv4 addresses.
    expect(inSet(["::/0"], "::ffff:8.8.8.8")).toBe(false)
  })

  it("never mix families", () => {
    expect(inSet(["0.0.0.0/0"], "2001:db8::1")).toBe(false)
    expect(inSet(["::/0"], "8.8.8.8")).toBe(false)
  })
})

describe("local networks (SPEC section 3)", () => {
  const local = localNetworks([], [])
  const isLocal = (a: string) => local.contains(parseIp(a)!)

  it.each([
    "10.0.0.0", "10.255.255.255", "172.16.0.0", "172.31.255.255", "192.168.0.1", "100.64.0.0", "100.127.255.255",
    "127.0.0.1", "169.254.1.1", "fc00::", "fdff:ffff::1", "fe80::1", "febf::1", "::1", "::ffff:192.168.1.5"
  ])("%s is always private", (a) => {
    expect(isLocal(a)).toBe(true)
  })

  it.each(["9.255.255.255", "11.0.0.0", "172.15.255.255", "172.32.0.0", "100.63.255.255", "100.128.0.0", "8.8.8.8",
    "fbff::1", "fec0::1", "fe00::1", "::2", "::", "2001:db8::1", "::ffff:8.8.8.8"])("%s is not private", (a) => {
    expect(isLocal(a)).toBe(false)
  })

  it("add HOME_NET and interface networks", () => {
    const set = localNetworks(parseCidrs(["203.0.113.0/24"]).cidrs, parseCidrs(["2001:db8:1::/48"]).cidrs)
    expect(set.contains(parseIp("203.0.113.7")!)).toBe(true)
    expect(set.contains(parseIp("2001:db8:1:2::3")!)).toBe(true)
    expect(set.contains(parseIp("10.0.0.1")!)).toBe(true)
    expect(set.contains(parseIp("203.0.114.7")!)).toBe(false)
  })
})
