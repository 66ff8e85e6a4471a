/**
 * The invariant of SPEC section 3, property-tested against an independent oracle (test/support): for every
 * record and every set of local networks, no local address appears anywhere in the output in any textual
 * form, and no key outside the allow-lists appears. Also: never throws, idempotent, non-local passes.
 */
import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, FastCheck as fc, Schema } from "effect"
import ipaddr from "ipaddr.js"
import { EveRecord, SanitisedEvent } from "../../src/domain/EveRecord.js"
import { localNetworks, parseCidrs } from "../../src/domain/Network.js"
import { eventToJson, makeSanitiser } from "../../src/domain/Sanitise.js"
import { scrubText } from "../../src/domain/Scrub.js"
import { ALLOWED_PATHS } from "../support/Allowed.js"
import {
  addressValue,
  anyAddress,
  expanded,
  homeNets,
  localAddress,
  makeRecordArbs,
  type Net,
  textWith
} from "../support/Arbitraries.js"
import { localAddressesIn, oracleNetworks, oracleParse, walk } from "../support/PrivacyOracle.js"

const sanitiserFor = (nets: ReadonlyArray<Net>) => {
  const texts = nets.map((n) => n.text)
  const parsed = parseCidrs(texts)
  // Every generated network must be understood by the code under test, or the comparison means nothing.
  expect(parsed.invalid).toEqual([])
  return makeSanitiser(localNetworks(parsed.cidrs, []))
}

/** A home net and a record with that net's (and the always-private ranges') addresses injected everywhere. */
const scenario = homeNets.chain((nets) =>
  fc.tuple(fc.constant(nets), makeRecordArbs(addressValue(localAddress(nets))).record)
)

const violations = (json: string, nets: ReadonlyArray<Net>) => {
  const oracle = oracleNetworks(nets.map((n) => n.text))
  const found = localAddressesIn(json, oracle).map((f) => `${f.form} ${f.text}`)
  const strayKeys: Array<string> = []
  const stringLeaks: Array<string> = []
  walk(
    JSON.parse(json),
    (path) => {
      if (!ALLOWED_PATHS.has(path)) strayKeys.push(path)
    },
    (s) => {
      for (const f of localAddressesIn(s, oracle)) stringLeaks.push(`${f.form} ${f.text} in ${JSON.stringify(s)}`)
    }
  )
  return { found, strayKeys, stringLeaks }
}

describe("the privacy invariant (SPEC section 3)", () => {
  it("no local address in any textual form, no key outside the allow-lists", () => {
    fc.assert(
      fc.property(scenario, ([nets, record]) => {
        const json = eventToJson(sanitiserFor(nets)(record).event)
        expect(violations(json, nets)).toEqual({ found: [], strayKeys: [], stringLeaks: [] })
      }),
      { numRuns: 1000 }
    )
  })

  it("free text keeps no local address, whatever surrounds it", () => {
    const cases = homeNets.chain((nets) =>
      fc.tuple(fc.constant(nets), textWith(addressValue(localAddress(nets))))
    )
    fc.assert(
      fc.property(cases, ([nets, text]) => {
        const local = localNetworks(parseCidrs(nets.map((n) => n.text)).cidrs, [])
        const out = scrubText(text, (ip) => local.contains(ip))
        expect(localAddressesIn(out, oracleNetworks(nets.map((n) => n.text)))).toEqual([])
      }),
      { numRuns: 5000 }
    )
  })

  it("holds for records from the EveRecord schema's own Arbitrary", () => {
    const cases = homeNets.chain((nets) => fc.tuple(fc.constant(nets), Arbitrary.make(EveRecord)))
    fc.assert(
      fc.property(cases, ([nets, record]) => {
        const json = eventToJson(sanitiserFor(nets)(record).event)
        expect(violations(json, nets)).toEqual({ found: [], strayKeys: [], stringLeaks: [] })
      }),
      { numRuns: 500 }
    )
  })
})

describe("sanitising", () => {
  const nets = homeNets.map(sanitiserFor)

  it("never throws, for any JSON value or any value at all", () => {
    fc.assert(
      fc.property(nets, fc.oneof(fc.jsonValue(), fc.anything({ withBigInt: true, withMap: true, withNullPrototype: true })), (sanitise, v) => {
        const { event, droppedAddresses } = sanitise(v)
        expect(typeof eventToJson(event)).toBe("string")
        expect(droppedAddresses).toBeGreaterThanOrEqual(0)
      }),
      { numRuns: 3000 }
    )
  })

  it("is idempotent: sanitising a sanitised event changes nothing", () => {
    fc.assert(
      fc.property(scenario, ([n, record]) => {
        const sanitise = sanitiserFor(n)
        const once = sanitise(record)
        const twice = sanitise(once.event)
        expect(twice.event).toEqual(once.event)
        expect(twice.droppedAddresses).toBe(0)
      }),
      { numRuns: 1000 }
    )
  })

  it("its output always decodes as a SanitisedEvent with no excess property", () => {
    // Validates the Type side (flow_id may be a bigint), rejecting any key the schema does not name.
    const decode = Schema.validateEither(SanitisedEvent, { onExcessProperty: "error" })
    fc.assert(
      fc.property(scenario, ([n, record]) => {
        const r = decode(sanitiserFor(n)(record).event)
        expect(r._tag).toBe("Right")
      }),
      { numRuns: 500 }
    )
  })

  it("masks local addresses in address fields and passes the others unchanged, in every spelling", () => {
    const cases = homeNets.chain((n) => fc.tuple(fc.constant(n), addressValue(fc.oneof(anyAddress, localAddress(n)))))
    fc.assert(
      fc.property(cases, ([n, a]) => {
        const { event, droppedAddresses } = sanitiserFor(n)({
          src_ip: a,
          dest_ip: a,
          alert: { source: { ip: a }, target: { ip: a } },
          http: { hostname: a }
        })
        const oracle = oracleNetworks(n.map((x) => x.text))
        const expected = oracle.isLocal(a)
          ? expectedMask(a)
          : localAddressesIn(a, oracle).length === 0
          ? a
          : // A non-local address whose spelling embeds a local dotted quad (`64:ff9b::10.0.0.1`) cannot be
            // sent as written; it goes in a spelling without the embedded address.
            undefined
        if (expected !== undefined) {
          expect(event).toEqual({
            src_ip: expected,
            dest_ip: expected,
            alert: { source: { ip: expected }, target: { ip: expected } },
            http: { hostname: expected }
          })
        } else {
          expect(event.src_ip).toBeDefined()
          expect(canonical(event.src_ip!)).toBe(canonical(a))
          expect(localAddressesIn(eventToJson(event), oracle)).toEqual([])
        }
        expect(droppedAddresses).toBe(0)
      }),
      { numRuns: 2000 }
    )
  })
})

/** One spelling per address, an IPv4-mapped one as its IPv4 address. */
const canonical = (text: string): string => {
  const a = oracleParse(text)!
  return a.kind() === "ipv6" && (a as ipaddr.IPv6).isIPv4MappedAddress()
    ? (a as ipaddr.IPv6).toIPv4Address().toString()
    : a.toNormalizedString()
}

/** SPEC section 3's masking, computed independently: `xxx.xxx.xxx.<last octet>`, `xxxx:xxxx:<G7>:<G8>`. */
const expectedMask = (text: string): string => {
  const a = oracleParse(text)!
  if (a.kind() === "ipv4") return `xxx.xxx.xxx.${(a as ipaddr.IPv4).octets[3]}`
  const v6 = a as ipaddr.IPv6
  if (v6.isIPv4MappedAddress()) return `xxx.xxx.xxx.${v6.toIPv4Address().octets[3]}`
  const groups = expanded(v6.parts).split(":")
  return `xxxx:xxxx:${groups[6]}:${groups[7]}`
}
