/**
 * The service's privacy check: it must flag what the invariant forbids (checked against the independent
 * oracle in test/support) and find nothing in what the agent's sanitiser produces.
 */
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { ALWAYS_PRIVATE, makeNetworkSet, parseCidrs } from "../../src/domain/Network.js"
import { eventToJson, makeSanitiser } from "../../src/domain/Sanitise.js"
import { checkEvent, privateAddressesIn } from "../../src/reference/PrivacyCheck.js"
import { addressValue, localAddress, makeRecordArbs, textWith } from "../support/Arbitraries.js"
import { localAddressesIn, oracleNetworks } from "../support/PrivacyOracle.js"

const privateOnly = oracleNetworks([])
const privateSpelled = addressValue(localAddress([]))
const sanitise = makeSanitiser(makeNetworkSet(parseCidrs(ALWAYS_PRIVATE).cidrs))

const check = (event: Record<string, unknown>) => checkEvent(event, JSON.stringify(event))

describe("privacy check", () => {
  it("flags an unmasked private address in every field and spelling", () =>
    fc.assert(
      fc.property(
        privateSpelled,
        fc.constantFrom("src_ip", "tls.subject", "http.hostname", "alert.source.ip", "tls.ja3.string"),
        (addr, path) => {
          const keys = path.split(".")
          const event: Record<string, unknown> = {}
          let at = event
          for (const k of keys.slice(0, -1)) at = (at[k] = {}) as Record<string, unknown>
          at[keys.at(-1)!] = path === "tls.subject" ? `CN=${addr}, O=x` : addr
          const v = check(event)
          // A dotted tail can read as an address of its own too (fe80::…:10.1.2.3 holds 10.1.2.3): same path.
          expect([...new Set(v.filter((x) => x.kind === "address").map((x) => x.path))]).toEqual([path])
        }
      ),
      { numRuns: 2000 }
    ))

  // The service may read more into a text than the oracle (it is the observer: stricter is safe), never less.
  it("finds a private address wherever the independent oracle finds one", () =>
    fc.assert(
      fc.property(textWith(privateSpelled), (text) => {
        if (localAddressesIn(text, privateOnly).length > 0) expect(privateAddressesIn(text).length, text).toBeGreaterThan(0)
      }),
      { numRuns: 3000 }
    ))

  it("finds nothing in any sanitised record", () => {
    const { record } = makeRecordArbs(privateSpelled)
    fc.assert(
      fc.property(record, (rec) => {
        const text = eventToJson(sanitise(rec).event)
        expect(checkEvent(JSON.parse(text), text)).toEqual([])
      }),
      { numRuns: 2000 }
    )
  })

  it("reads ::a.b.c.d as the IPv4-compatible IPv6 address it is (::0.0.0.1 is ::1)", () => {
    expect(check({ src_ip: "::0.0.0.1" }).map((v) => v.path)).toEqual(["src_ip"])
    expect(check({ tls: { subject: "CN=::0.0.0.1" } }).map((v) => v.path)).toEqual(["tls.subject"])
    // ...without flagging a public address spelled the same way.
    expect(check({ src_ip: "::8.8.8.8" })).toEqual([])
  })

  it("flags keys outside the allow-lists at any level, and wrong shapes", () => {
    const v = check({ event_type: "alert", payload: "x", alert: { signature: "s", source: { ip: "8.8.8.8", mac: "m" } }, src_port: "80" })
    expect(v.map((x) => `${x.kind} ${x.path}`).sort()).toEqual([
      "key alert.signature",
      "key alert.source.mac",
      "key payload",
      "shape src_port"
    ])
  })

  it("accepts masked forms, public addresses and a 64-bit flow id", () => {
    const raw = '{"flow_id":18446744073709551615,"src_ip":"xxx.xxx.xxx.10","dest_ip":"xxxx:xxxx:0000:0001","tls":{"subject":"CN=8.8.8.8, O=2001:db8::1"}}'
    expect(checkEvent(JSON.parse(raw), raw)).toEqual([])
  })

  it("names the range and never repeats the address unmasked", () => {
    const v = check({ tls: { sni: "fe80::1%em0", subject: "CN=::ffff:100.64.1.2" } })
    expect(v.map((x) => x.detail)).toEqual([
      expect.stringContaining("fe80::/10"),
      expect.stringContaining("100.64.0.0/10")
    ])
    expect(JSON.stringify(v)).not.toMatch(/fe80::1|100\.64\.1\.2/)
  })
})
