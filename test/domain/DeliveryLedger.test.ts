import { describe, expect, it } from "vitest"
import type { HourBucket } from "../../src/domain/AgentState.js"
import { addCounters, bumpHour, HOUR, KEEP_HOURS, mergeHourly, subCounters, zeroCounters } from "../../src/domain/DeliveryLedger.js"

const T = Date.UTC(2026, 10, 27, 10, 30)
const hour = Math.floor(T / HOUR) * HOUR

describe("DeliveryLedger", () => {
  it("counts seen, sent, rejected and expired in the hour they happened", () => {
    const run = new Map<number, HourBucket>()
    bumpHour(run, T, "seen")
    bumpHour(run, T + 60_000, "seen")
    bumpHour(run, T, "sent")
    bumpHour(run, T + HOUR, "expired")
    expect([...run.values()]).toEqual([
      { hour, sent: 1, rejected: 0, expired: 0, seen: 2 },
      { hour: hour + HOUR, sent: 0, rejected: 0, expired: 1 }
    ])
  })

  it("folds a run into the stored buckets and keeps a week of them", () => {
    const old: HourBucket = { hour: hour - KEEP_HOURS * HOUR, sent: 9, rejected: 0, expired: 0 }
    const weekOld: HourBucket = { hour: hour - (KEEP_HOURS - 1) * HOUR, sent: 1, rejected: 0, expired: 0 }
    const stored: Array<HourBucket> = [old, weekOld, { hour, sent: 2, rejected: 1, expired: 0 }]
    const merged = mergeHourly(stored, [{ hour, sent: 1, rejected: 0, expired: 0, seen: 3 }], T)
    expect(merged).toEqual([weekOld, { hour, sent: 3, rejected: 1, expired: 0, seen: 3 }])
  })

  it("adds and subtracts counters field by field", () => {
    const a = { ...zeroCounters(), read: 10, selected: 4, sent: 3 }
    const b = { ...zeroCounters(), read: 4, selected: 1, sent: 1 }
    expect(subCounters(addCounters(a, b), b)).toEqual(a)
  })
})
