/**
 * The invariant of SPEC section 3, property-tested against an independent oracle (test/support): for every
 * record and every set of local networks, no local address appears anywhere in the output in any textual
 * form, and no key outside the allow-lists appears. Also: never throws, idempotent, non-local passes.
 */
import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, FastCheck as fc, Schema } from "effect"
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
  textValue,
  textWith
} from "../support/Arbitraries.js"
import { carriedIPv4, spellingsIn } from "../../src/reference/AddressSpellings.js"
import { localAddressesIn, type OracleNetworks, oracleNetworks, oracleParse, walk } from "../support/PrivacyOracle.js"

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
  const found = localAddressesIn(json, oracle, "json").map((f) => `${f.form} ${f.text}`)
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
      fc.tuple(fc.constant(nets), textWith(textValue(localAddress(nets))))
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
        // A dotted quad with leading zeros is local by its decimal or its octal reading.
        const wholeReadings = spellingsIn(a).filter((x) => x.index === 0 && x.text === a).flatMap((x) => x.readings)
        if (oracle.isLocal(a) || wholeReadings.some(oracle.isLocalReading)) {
          // An IPv6 address carrying a local IPv4 address is masked as that IPv4 address.
          expect(expectedMasks(a, oracle)).toContain(event.src_ip)
          expect(event).toEqual({
            src_ip: event.src_ip,
            dest_ip: event.src_ip,
            alert: { source: { ip: event.src_ip }, target: { ip: event.src_ip } },
            http: { hostname: event.src_ip }
          })
        } else if (localAddressesIn(a, oracle).length === 0) {
          expect(event).toEqual({ src_ip: a, dest_ip: a, alert: { source: { ip: a }, target: { ip: a } }, http: { hostname: a } })
        } else {
          // A non-local address whose spelling embeds a local dotted quad (`2001:db8::10.0.0.1`) cannot be
          // sent as written; it goes in a spelling without the embedded address.
          expect(event.src_ip).toBeDefined()
          if (!/^xxx/.test(event.src_ip!)) expect(canonical(event.src_ip!)).toBe(canonical(a))
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
  if (a.v === 6 && a.value >> 32n === 0xffffn) return `4:${a.value & 0xffffffffn}`
  return a.v === 4 ? `4:${a.n}` : `6:${a.value}`
}

/** SPEC section 3's masking, computed independently: `xxx.xxx.xxx.<last octet>`, `xxxx:xxxx:<G7>:<G8>`, or
 * for an IPv6 address carrying a local IPv4 address (or showing one in its last two groups), that one's mask. */
const expectedMasks = (text: string, oracle: OracleNetworks): Array<string> => {
  const a = oracleParse(text)
  if (a === undefined || a.v === 4) {
    return spellingsIn(text).flatMap((x) => x.readings).flatMap((r) => (r.v === 4 && oracle.isLocalReading(r) ? [`xxx.xxx.xxx.${r.n & 255}`] : []))
  }
  const low32 = Number(a.value & 0xffffffffn)
  const v4 = [...carriedIPv4(a.value), low32].filter((n) => oracle.isLocalReading({ v: 4, n }))
  if (v4.length > 0) return v4.map((n) => `xxx.xxx.xxx.${n & 255}`)
  const groups = expanded([(low32 >>> 16) & 0xffff, low32 & 0xffff]).split(":")
  return [`xxxx:xxxx:${groups[0]}:${groups[1]}`]
}
