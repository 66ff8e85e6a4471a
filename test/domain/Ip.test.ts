import { describe, expect, it } from "@effect/vitest"
import { expandedIp, formatIp, isMasked, maskIp, parseIp, parseIPv4, parseIPv6 } from "../../src/domain/Ip.js"

const v4 = (a: number, b: number, c: number, d: number) => ((a << 24) >>> 0) + (b << 16) + (c << 8) + d

describe("parseIPv4", () => {
  it("reads dotted quads", () => {
    expect(parseIPv4("192.168.1.5")).toBe(v4(192, 168, 1, 5))
    expect(parseIPv4("0.0.0.0")).toBe(0)
    expect(parseIPv4("255.255.255.255")).toBe(0xffffffff)
  })

  it("reads leading zeros as decimal", () => {
    expect(parseIPv4("010.000.000.001")).toBe(v4(10, 0, 0, 1))
  })

  it.each([
    "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.256", "1..2.3", ".1.2.3", "1.2.3.", "1.2.3.4 ", " 1.2.3.4",
    "1.2.3.a", "1234.1.1.1", "0x1.2.3.4", "1.2.3.4/8", "not-an-ip"
  ])("rejects %j", (s) => {
    expect(parseIPv4(s)).toBeUndefined()
  })
})

describe("parseIPv6", () => {
  it("reads compressed, expanded and upper-case forms alike", () => {
    const a = parseIPv6("fd00::1")
    expect(a).toEqual({ kind: "v6", parts: [0xfd00, 0, 0, 0, 0, 0, 0, 1] })
    expect(parseIPv6("FD00::1")).toEqual(a)
    expect(parseIPv6("fd00:0000:0000:0000:0000:0000:0000:0001")).toEqual(a)
    expect(parseIPv6("FD00:0:0:0:0:0:0:1")).toEqual(a)
  })

  it("accepts brackets and a zone id", () => {
    expect(parseIPv6("[fe80::1]")).toEqual({ kind: "v6", parts: [0xfe80, 0, 0, 0, 0, 0, 0, 1] })
    expect(parseIPv6("fe80::1%em0")).toEqual({ kind: "v6", parts: [0xfe80, 0, 0, 0, 0, 0, 0, 1] })
  })

  it("reads an IPv4-mapped address, dotted or hex, as the IPv4 address", () => {
    const expected = { kind: "v4", n: v4(192, 168, 1, 5) }
    expect(parseIPv6("::ffff:192.168.1.5")).toEqual(expected)
    expect(parseIPv6("::ffff:c0a8:105")).toEqual(expected)
    expect(parseIPv6("::FFFF:C0A8:0105")).toEqual(expected)
    expect(parseIPv6("0:0:0:0:0:ffff:192.168.1.5")).toEqual(expected)
  })

  it.each(["", "fd00", "fd00::1::2", "1:2:3:4:5:6:7:8:9", "gggg::1", "fd00::1/64", "::ffff:1.2.3", "[fd00::1"])(
    "rejects %j",
    (s) => {
      expect(parseIPv6(s)).toBeUndefined()
    }
  )
})

describe("maskIp (SPEC section 3)", () => {
  it("IPv4 keeps only the last octet", () => {
    expect(maskIp(parseIp("192.168.1.5")!)).toBe("xxx.xxx.xxx.5")
    expect(maskIp(parseIp("10.0.0.254")!)).toBe("xxx.xxx.xxx.254")
  })

  it("IPv6 keeps the last two groups of the fully expanded lower-case form", () => {
    expect(maskIp(parseIp("fd00::1")!)).toBe("xxxx:xxxx:0000:0001")
    expect(maskIp(parseIp("FE80::ABCD:12")!)).toBe("xxxx:xxxx:abcd:0012")
    expect(maskIp(parseIp("2001:db8:1:2:3:4:5678:9abc")!)).toBe("xxxx:xxxx:5678:9abc")
  })

  it("an IPv4-mapped address is masked as its IPv4 address", () => {
    expect(maskIp(parseIp("::ffff:192.168.1.5")!)).toBe("xxx.xxx.xxx.5")
    expect(maskIp(parseIp("::ffff:c0a8:105")!)).toBe("xxx.xxx.xxx.5")
  })

  it("its output is recognised as masked, and nothing else is", () => {
    expect(isMasked("xxx.xxx.xxx.5")).toBe(true)
    expect(isMasked("xxxx:xxxx:0000:0001")).toBe(true)
    expect(isMasked("xxx.xxx.xxx.256")).toBe(false)
    expect(isMasked("xxxx:xxxx:0:1")).toBe(false)
    expect(isMasked("10.0.0.1")).toBe(false)
  })
})

describe("canonical forms", () => {
  it("formatIp compresses, expandedIp expands", () => {
    const a = parseIp("FD00:0000:0000:0000:0000:0000:0000:0001")!
    expect(formatIp(a)).toBe("fd00::1")
    expect(expandedIp(a)).toBe("fd00:0000:0000:0000:0000:0000:0000:0001")
    expect(formatIp(parseIp("010.1.2.3")!)).toBe("10.1.2.3")
  })
})
