/**
 * The license model (SPEC section 7) as properties: more activity never hurts, an idle sensor turns DISABLED
 * exactly at created + 5 days, the answer depends only on the inputs, and the announced next transition is
 * what actually happens when nothing arrives.
 */
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import {
  DEFAULT_WINDOWS,
  license,
  type LicenseFacts,
  type LicenseWindows,
  parseLicenseStatus,
  rulesetFor
} from "../../src/domain/License.js"
import type { LicenseStatus } from "../../src/domain/StatusNames.js"

const DAY = 86_400_000
const rank: Record<LicenseStatus, number> = { DISABLED: 0, DORMANT: 1, ACTIVE: 2 }

const T0 = Date.parse("2026-01-01T00:00:00Z")
const time = fc.integer({ min: T0, max: T0 + 60 * DAY })
const facts: fc.Arbitrary<LicenseFacts> = fc.record({
  created: time,
  lastEvent: fc.option(time, { nil: undefined }),
  lastHeartbeat: fc.option(time, { nil: undefined })
})
const windows: fc.Arbitrary<LicenseWindows> = fc.oneof(
  fc.constant(DEFAULT_WINDOWS),
  fc.record({
    disableAfterMs: fc.integer({ min: 1, max: 10 * DAY }),
    heartbeatWithinMs: fc.integer({ min: 1, max: 10 * DAY }),
    eventWithinMs: fc.integer({ min: 1, max: 10 * DAY })
  })
)
const RUNS = { numRuns: 5000 }

describe("License model", () => {
  it("an extra event never makes the status worse, nor the disable date earlier", () => {
    fc.assert(
      fc.property(facts, windows, time, fc.integer({ min: 0, max: 30 * DAY }), (f, w, now, back) => {
        const event = now - back
        const before = license(f, now, w)
        const after = license({ ...f, lastEvent: Math.max(f.lastEvent ?? event, event) }, now, w)
        expect(rank[after.status]).toBeGreaterThanOrEqual(rank[before.status])
        expect(after.disableDate).toBeGreaterThanOrEqual(before.disableDate)
      }),
      RUNS
    )
  })

  it("an extra heartbeat never makes the status worse either", () => {
    fc.assert(
      fc.property(facts, windows, time, fc.integer({ min: 0, max: 30 * DAY }), (f, w, now, back) => {
        const hb = now - back
        const before = license(f, now, w)
        const after = license({ ...f, lastHeartbeat: Math.max(f.lastHeartbeat ?? hb, hb) }, now, w)
        expect(rank[after.status]).toBeGreaterThanOrEqual(rank[before.status])
      }),
      RUNS
    )
  })

  it("with no events a sensor turns DISABLED exactly at created + 5 days, whatever its heartbeats", () => {
    fc.assert(
      fc.property(time, fc.option(time, { nil: undefined }), (created, lastHeartbeat) => {
        const f = { created, lastHeartbeat }
        const at = created + 5 * DAY
        expect(license(f, at - 1).status).not.toBe("DISABLED")
        expect(license(f, at).status).toBe("DISABLED")
        expect(license(f, at + DAY).status).toBe("DISABLED")
        expect(license(f, at).disableDate).toBe(at)
        expect(license(f, at).ruleset).toBe("ET Open")
        expect(license(f, at - 1).ruleset).toBe("ET Pro")
      }),
      RUNS
    )
  })

  it("same inputs, same answer", () => {
    fc.assert(
      fc.property(facts, windows, time, (f, w, now) => {
        expect(license({ ...f }, now, { ...w })).toEqual(license(f, now, w))
      }),
      RUNS
    )
  })

  it("the announced next transition happens at its time if nothing arrives, and not before", () => {
    fc.assert(
      fc.property(facts, windows, time, (f, w, now) => {
        const l = license(f, now, w)
        expect(l.ruleset).toBe(rulesetFor(l.status))
        if (l.status === "DISABLED") {
          expect(l.next).toBeUndefined()
          return
        }
        const next = l.next!
        expect(next.at).toBeGreaterThan(now)
        expect(license(f, next.at - 1, w).status).toBe(l.status)
        expect(license(f, next.at, w).status).toBe(next.to)
      }),
      RUNS
    )
  })

  it("matches the SPEC rule on examples", () => {
    const created = T0
    const h = 3_600_000
    expect(license({ created, lastHeartbeat: created + h }, created + 2 * h).status).toBe("ACTIVE")
    expect(license({ created, lastHeartbeat: created }, created + 2 * h).status).toBe("DORMANT")
    expect(license({ created }, created + h).status).toBe("DORMANT")
    expect(license({ created, lastEvent: created + 4 * DAY, lastHeartbeat: created + 4 * DAY }, created + 4 * DAY + h))
      .toMatchObject({ status: "ACTIVE", disableDate: created + 9 * DAY })
    expect(license({ created, lastEvent: created + 4 * DAY }, created + 9 * DAY).status).toBe("DISABLED")
  })

  it("status strings from the service are read in any case; unknown ones are unknown", () => {
    expect(parseLicenseStatus("ACTIVE")).toBe("ACTIVE")
    expect(parseLicenseStatus("active")).toBe("ACTIVE")
    expect(parseLicenseStatus("Dormant")).toBe("DORMANT")
    expect(parseLicenseStatus("disabled")).toBe("DISABLED")
    for (const s of ["PAUSED", "", null, 3, { s: "ACTIVE" }, "ACTIVE ", " active"]) {
      expect(parseLicenseStatus(s)).toBe("unknown")
    }
  })
})
