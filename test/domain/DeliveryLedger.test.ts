import { describe, expect, it } from "vitest"
import type { HourBucket } from "../../src/domain/AgentState.js"
import { addCounters, bumpHour, countBatch, HOUR, KEEP_HOURS, mergeHourly, PendingCounts, subCounters, zeroCounters } from "../../src/domain/DeliveryLedger.js"

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

describe("line counts wait for the checkpoint (issue 15 row 15)", () => {
  // Lines: alert 1 (ends at 10), two others, alert 2 (ends at 40), one bad; batch ends at 50.
  const batch = {
    lines: ["a1", "a2"],
    ends: [10, 40],
    countedTo: [1, 4],
    badTo: [0, 0],
    end: 50,
    lineCount: 5,
    bad: 1
  }
  const step = (l: string) => ({ verdict: "send", record: {}, json: `{"${l}":1}`, droppedAddresses: 0 }) as const

  it("counts the run at once, and the ledger only as far as the checkpoint has passed, each line once", () => {
    const run = zeroCounters()
    const pending = new PendingCounts()
    const sent: Array<[string, number]> = []
    countBatch(batch, 7_200_000, step, run, pending, (json, end) => sent.push([json, end]))
    expect(run).toMatchObject({ read: 5, selected: 2, skippedBadLine: 1 })
    expect(sent).toEqual([['{"a1":1}', 10], ['{"a2":1}', 40]])
    const ledger = zeroCounters()
    const hourly = new Map<number, HourBucket>()
    pending.settle(0, ledger, hourly)
    expect(ledger).toMatchObject({ read: 0, selected: 0 })
    pending.settle(10, ledger, hourly)
    expect(ledger).toMatchObject({ read: 1, selected: 1, skippedBadLine: 0 })
    pending.settle(39, ledger, hourly)
    expect(ledger).toMatchObject({ read: 1, selected: 1 })
    pending.settle(50, ledger, hourly)
    pending.settle(50, ledger, hourly)
    expect(ledger).toMatchObject({ read: 5, selected: 2, skippedBadLine: 1 })
    expect([...hourly.values()]).toEqual([{ hour: 7_200_000, sent: 0, rejected: 0, expired: 0, seen: 2 }])
  })
})
