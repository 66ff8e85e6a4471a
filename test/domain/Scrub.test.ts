import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import ipaddr from "ipaddr.js"
import { localNetworks, parseCidrs } from "../../src/domain/Network.js"
import { parseIPv6 } from "../../src/domain/Ip.js"
import { type Meter, scrubText } from "../../src/domain/Scrub.js"
import { strictIPv6 } from "../../src/reference/AddressSpellings.js"

const local = localNetworks(parseCidrs(["203.0.113.0/24", "2001:db8:1::/48"]).cidrs, [])
const scrub = (s: string) => scrubText(s, (ip) => local.contains(ip))

describe("scrubText: local addresses written inside free text", () => {
  it.each([
    ["CN=10.1.2.3, O=fe80::1", "CN=xxx.xxx.xxx.3, O=xxxx:xxxx:0000:0001"],
    ["CN=router.lan/emailAddress=admin@192.168.1.1", "CN=router.lan/emailAddress=admin@xxx.xxx.xxx.1"],
    ["192.168.1.1:8443", "xxx.xxx.xxx.1:8443"],
    ["[fd00::1]:443", "[xxxx:xxxx:0000:0001]:443"],
    ["host FD00::ABCD:1 up", "host xxxx:xxxx:abcd:0001 up"],
    ["fd00:0000:0000:0000:0000:0000:0000:0001", "xxxx:xxxx:0000:0001"],
    ["fe80::1%em0", "xxxx:xxxx:0000:0001%em0"],
    ["via 203.0.113.9.", "via xxx.xxx.xxx.9."],
    // Only the address's own characters change (issue 10, class 8).
    ["2001:db8:1::42:", "xxxx:xxxx:0000:0042:"],
    ["a.2001:db8:1::42.", "a.xxxx:xxxx:0000:0042."],
    ["beef.2001:db8:1::42.de", "beef.xxxx:xxxx:0000:0042.de"],
    ["2001:db8:1::8.8.8.8.5", "xxxx:xxxx:0808:0808.5"],
    ["IP Address:fd00::1", "IP Address:xxxx:xxxx:0000:0001"],
    ["fd00::1.example.com", "xxxx:xxxx:0000:0001.example.com"]
  ])("%j → %j", (input, expected) => {
    expect(scrub(input)).toBe(expected)
  })

  it("masks IPv4-mapped addresses, dotted and hex", () => {
    expect(scrub("::ffff:192.168.1.5")).not.toMatch(/192\.168\.1\.5/)
    expect(scrub("::ffff:c0a8:105")).toBe("xxx.xxx.xxx.5")
    expect(scrub("peer ::FFFF:C0A8:105 ok")).toBe("peer xxx.xxx.xxx.5 ok")
  })

  it("finds every dotted-quad window of a longer dotted run", () => {
    // 1.10.0.0.1 holds 10.0.0.1
    expect(scrub("v1.10.0.0.1")).not.toMatch(/10\.0\.0\.1/)
    expect(scrub("1234.10.0.0.1")).not.toMatch(/10\.0\.0\.1/)
  })

  it("finds an address behind extra colons or dots", () => {
    expect(scrub("x:::fd00::1")).not.toMatch(/fd00/)
    expect(scrub(":::fd00:1:2:3:4:5:6:7")).not.toMatch(/fd00/)
    expect(scrub("..10.0.0.1..")).toBe("..xxx.xxx.xxx.1..")
  })

  it("leaves non-local addresses and other text alone", () => {
    for (const s of ["8.8.8.8", "CN=example.com, O=Example", "2001:db8:2::1", "v1.2.3", "12:34:56",
      "a:b", "1.2.3.4.5", "::ffff:8.8.8.8", "110.0.0.1", "10.0.0.1000"]) {
      expect(scrub(s)).toBe(s)
    }
  })

  it("is idempotent on its own output", () => {
    for (const s of ["CN=10.1.2.3, O=fe80::1", "::ffff:c0a8:105", "10.0.0.1:2::3", "fd00::10.0.0.1"]) {
      expect(scrub(scrub(s))).toBe(scrub(s))
    }
  })

  it("stays fast on a pathological run", () => {
    const started = performance.now()
    scrub(`${":".repeat(200_000)}a${".".repeat(200_000)}`)
    scrub("1.".repeat(100_000))
    // Linear work takes well under a second; a quadratic reading of these runs would take minutes.
    expect(performance.now() - started).toBeLessThan(10_000)
  })
})

describe("the IPv6 reader", () => {
  it("accepts exactly what the service's independent validator accepts", () => {
    const token = fc.oneof(
      fc.constantFrom(":", "::", ".", "0", "1", "f", "F", "ffff", "0000", "00001", "255", "256", "1.2.3.4", "10.0.0.1", "a", "12345"),
      fc.stringOf(fc.constantFrom(..."0123456789abcdefABCDEF"), { minLength: 1, maxLength: 5 })
    )
    const candidate = fc.oneof(
      fc.array(token, { maxLength: 14 }).map((t) => t.join("")),
      fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }).chain((g) =>
        fc.nat({ max: 7 }).map((k) => new ipaddr.IPv6(g).toString().replace(/:[^:]*$/, k % 2 === 0 ? ":1.2.3.4" : ":abc"))
      )
    )
    fc.assert(
      fc.property(candidate, (c) => {
        if (c.includes("%") || c.includes("[")) return
        expect(parseIPv6(c) !== undefined, c).toBe(strictIPv6(c) !== undefined)
      }),
      { numRuns: 20000 }
    )
  })
})

describe("linear work on hostile runs (issue 15 rows 5-6)", () => {
  const stepsPerByte = (s: string) => {
    const meter: Meter = { steps: 0 }
    scrubText(s, (ip) => local.contains(ip), meter)
    return meter.steps / s.length
  }
  it.each([
    ["1.1.1.1x + 200k digits", "1.1.1.1x" + "1".repeat(200_000)],
    [":g + 200k hex digits", ":g" + "a".repeat(200_000)],
    ["1: × 100k", "1:".repeat(100_000)],
    [":: × 100k", "::".repeat(100_000)],
    ["fd00:: × 20k", "fd00::".repeat(20_000)],
    ["1. × 100k", "1.".repeat(100_000)],
    ["1- × 100k", "1-".repeat(100_000)],
    ["0.a.ip6.arpa × 10k", "0.a.ip6.arpa".repeat(10_000)]
  ])("%s: a bounded number of characters examined per byte", (_, s) => {
    // Each start is read at most 45 characters ahead, and every run is walked a bounded number of times.
    expect(stepsPerByte(s)).toBeLessThan(100)
  })

  it("the bound does not grow with the input", () => {
    const small = stepsPerByte("1:".repeat(1_000))
    const large = stepsPerByte("1:".repeat(100_000))
    expect(large).toBeLessThanOrEqual(small * 1.1)
  })
})
