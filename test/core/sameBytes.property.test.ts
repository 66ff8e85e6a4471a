/**
 * One implementation, the same bytes: for generated eve lines (hostile records of the privacy suites, with
 * local addresses of a generated HOME_NET in every spelling) and generated options, `sanitiseLine` from
 * `etpro-telemetry/core` gives exactly the bodies the agent sends: checked against the built CLI's
 * `dump --parsed` (a few runs: each starts the CLI) and against the domain's outbound step (many runs).
 */
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { sanitiseLine } from "etpro-telemetry/core"
import { homeNetFromFlag } from "../../src/domain/HomeNet.js"
import { localNetworks } from "../../src/domain/Network.js"
import { makeOutbound } from "../../src/domain/Outbound.js"
import { NO_SID } from "../../src/domain/TelemetrySids.js"
import { addressValue, homeNets, localAddress, makeRecordArbs } from "../support/Arbitraries.js"
import { dumpParsed, hostNetworks, lineOf } from "./dumpCli.js"

const SIDS = [2013028, 2019401, 2850002]

/** A line of the eve log: mostly generated records, some alerts made to pass selection, some junk. */
const lines = (local: fc.Arbitrary<string>) => {
  const { record } = makeRecordArbs(local)
  const selectable = fc.tuple(record, fc.constantFrom(...SIDS, 1)).map(([r, sid]) => {
    const alert = typeof r.alert === "object" && r.alert !== null ? r.alert : {}
    return { ...r, timestamp: "2026-11-27T10:00:00.123456+0000", event_type: "alert", alert: { ...alert, signature_id: sid } }
  })
  return fc.oneof(
    { weight: 6, arbitrary: selectable.map(lineOf) },
    { weight: 2, arbitrary: record.map(lineOf) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '{"event_type":"alert" broken',
        '{"timestamp":"2026-11-27T10:00:00Z","event_type":"\\u0061lert","src_ip":"10.1.2.3"}',
        '{"timestamp":"2026-11-27T10:00:00Z","event_type":"\\u0061lert","alert":{"signature_id":2013028},"src_ip":"10.1.2.3"}',
        "[1,2]",
        "   ",
        '"alert"'
      )
    }
  )
}

const scenario = homeNets.chain((nets) =>
  fc.record({
    homeNet: fc.constant(nets.map((n) => n.text)),
    sids: fc.option(fc.subarray(SIDS), { nil: undefined }),
    lines: fc.array(lines(addressValue(localAddress(nets))), { minLength: 1, maxLength: 25 }),
    crlf: fc.boolean()
  })
)

const events = (ls: ReadonlyArray<string>, opts: Parameters<typeof sanitiseLine>[1]) =>
  ls.flatMap((l) => {
    const r = sanitiseLine(l, opts)
    return r.kind === "event" ? [r.body] : []
  })

describe("sanitiseLine and the agent send the same bytes", () => {
  it("as `dump --parsed` prints them, for generated lines, HOME_NETs and SID lists", async () => {
    const localNets = hostNetworks()
    let compared = 0
    await fc.assert(
      fc.asyncProperty(scenario, async ({ homeNet, sids, lines: ls, crlf }) => {
        const text = ls.map((l) => `${l}${crlf ? "\r" : ""}\n`).join("")
        const mine = events(ls, { homeNet, sids, localNetworks: localNets })
        const agent = await dumpParsed(text, { homeNet, sids })
        expect(mine).toEqual(agent)
        compared += mine.length
      }),
      // One scenario known to give an event, so the check is never vacuous whatever the seed (six generated
      // runs can all end with nothing selected: seen once in CI).
      {
        numRuns: 6,
        examples: [[{
          homeNet: ["10.0.0.0/8"],
          sids: undefined,
          lines: [lineOf({ timestamp: "2026-11-27T10:00:00.123456+0000", event_type: "alert", src_ip: "10.1.2.3", dest_ip: "198.51.100.7", alert: { signature_id: SIDS[0] } })],
          crlf: false
        }]]
      }
    )
    // Not vacuous: events were produced and compared.
    expect(compared).toBeGreaterThan(0)
  }, 240_000)

  it("as the domain's outbound step makes them (many runs)", () => {
    fc.assert(
      fc.property(scenario, ({ homeNet, sids, lines: ls }) => {
        // HOME_NET as `--home-net` reads it (Suricata's reading, domain/HomeNet.ts), as the core and the agent do:
        // parseCidrs would take an IPv4-mapped IPv6 entry (::ffff:a.b.c.d/128) for the IPv4 address, which Suricata
        // does not (seen once in CI).
        // (An empty list is no HOME_NET, as for the core.)
        const parsed = homeNet.length === 0 ? { cidrs: [], failure: undefined } : homeNetFromFlag(homeNet.join(","))
        expect(parsed.failure).toBeUndefined()
        const step = makeOutbound({ local: localNetworks(parsed.cidrs, []), sids: sids === undefined ? new Set() : sids.length === 0 ? NO_SID : new Set(sids) })
        for (const l of ls) {
          const r = sanitiseLine(l, { homeNet, sids })
          const o = l.includes('"alert"') ? step.line(l, undefined) : undefined
          if (o?.verdict === "send") expect(r).toEqual({ kind: "event", body: o.json, droppedAddresses: o.droppedAddresses })
          else expect(r.kind).toBe("skipped")
        }
      }),
      { numRuns: 150 }
    )
  })
})
