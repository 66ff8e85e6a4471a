import { describe, expect, it } from "vitest"
import { maskIp, parseIp } from "../../src/domain/Ip.js"
import { localNetworks } from "../../src/domain/Network.js"
import { makeSanitiser } from "../../src/domain/Sanitise.js"

const local = localNetworks([], [])
const sanitise = makeSanitiser(local)

describe("IPv6 with a dotted IPv4 tail", () => {
  it("reads ::0.0.0.1 as ::1 (loopback), not as the IPv4 0.0.0.1", () => {
    const ip = parseIp("::0.0.0.1")
    expect(ip).toEqual(parseIp("::1"))
    expect(local.contains(ip!)).toBe(true)
  })

  it("keeps ::ffff:a.b.c.d as the IPv4 address it maps", () => {
    expect(parseIp("::ffff:10.1.2.3")).toEqual(parseIp("10.1.2.3"))
    expect(parseIp("::FFFF:0a01:0203")).toEqual(parseIp("10.1.2.3"))
  })

  it("judges an IPv4-compatible address (::a.b.c.d) local when its IPv4 reading is", () => {
    const ip = parseIp("::10.1.2.3")!
    expect(ip.kind).toBe("v6")
    expect(local.contains(ip)).toBe(true)
    expect(local.contains(parseIp("::8.8.8.8")!)).toBe(false)
    expect(maskIp(ip)).toBe("xxxx:xxxx:0a01:0203")
  })

  it("rejects a malformed dotted tail", () => {
    expect(parseIp("::10.0.0.256")).toBeUndefined()
    expect(parseIp("::10.0.0")).toBeUndefined()
  })

  it("never sends these forms unmasked from an address field", () => {
    for (const a of ["::0.0.0.1", "::10.1.2.3", "0:0:0:0:0:0:192.168.0.9", "::ffff:192.168.0.9"]) {
      const { event } = sanitise({ event_type: "alert", src_ip: a })
      expect(event.src_ip).toMatch(/^xxx/)
    }
  })
})
