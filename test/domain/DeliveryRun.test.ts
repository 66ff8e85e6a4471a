import { describe, expect, it } from "vitest"
import type { PlannedFile } from "../../src/domain/Checkpoint.js"
import type { LinesRead } from "../../src/domain/DeliveryLedger.js"
import { DeliveryRun } from "../../src/domain/DeliveryRun.js"
import type { Outbound } from "../../src/domain/Outbound.js"

const HOUR = Date.UTC(2026, 10, 2, 12)
const plan: PlannedFile = { path: "/log/eve.json", size: 400, dev: 1, ino: 2, fingerprint: "fp", start: 100, reason: "resume" }

/** Four lines of 50 bytes from offset 100; every line an alert but "skip-me". */
const batch = (lines: ReadonlyArray<string>): LinesRead => ({
  lines,
  ends: lines.map((_, i) => 150 + 50 * i),
  countedTo: lines.map((_, i) => i + 1),
  badTo: lines.map(() => 0),
  end: 100 + 50 * lines.length,
  lineCount: lines.length,
  bad: 0
})
const step = (l: string): Outbound => (l === "skip-me" ? { verdict: "not-alert", record: {} } : { verdict: "send", record: {}, json: l, droppedAddresses: 0 })

describe("DeliveryRun: lines → events → answers → checkpoint, counted once", () => {
  it("moves the checkpoint only past a settled prefix, and counts lines in the state only once passed", () => {
    const run = new DeliveryRun([plan], [], [])
    run.open(0)
    const events = run.read(0, batch(["a", "skip-me", "b", "c"]), 100, HOUR, step)
    expect(events.map((e) => e.json)).toEqual(["a", "b", "c"])
    expect(run.counters).toMatchObject({ read: 4, selected: 3 })
    run.settle(events[1]!, "skipped", HOUR)
    let c = run.commit()
    run.committed(c)
    expect(c.files[0]!.offset).toBe(100)
    expect(c.delta).toMatchObject({ read: 0, selected: 0, skipped: 1 })
    run.settle(events[0]!, "sent", HOUR, "audit-a")
    c = run.commit()
    run.committed(c)
    // a (line 1), the line not selected (2) and b (3) are settled: the checkpoint is after b.
    expect(c.files[0]!.offset).toBe(250)
    expect(c.delta).toMatchObject({ read: 3, selected: 2, sent: 1, skipped: 0 })
    expect(c.audit).toEqual(["audit-a"])
    expect(c.hours).toEqual([{ hour: HOUR, seen: 2, sent: 1, rejected: 0, expired: 0 }])
  })

  it("remembers attempts on events the checkpoint has not passed, and gives them to the next run", () => {
    const run = new DeliveryRun([plan], [], [])
    run.open(0)
    const [a] = run.read(0, batch(["a"]), 100, HOUR, step)
    run.tried(a!, 2)
    const c = run.commit()
    expect(c.tried).toEqual([{ fingerprint: "fp", end: 150, tries: 2 }])
    const next = new DeliveryRun([plan], [], c.tried)
    next.open(0)
    const [again] = next.read(0, batch(["a"]), 100, HOUR, step)
    expect(again!.earlier).toBe(2)
    next.settle(again!, "skipped", HOUR)
    expect(next.commit().tried).toEqual([])
  })

  it("a write that fails gives its buckets and audit lines back to the next one", () => {
    const run = new DeliveryRun([plan], [], [])
    run.open(0)
    const [a] = run.read(0, batch(["a"]), 100, HOUR, step)
    run.settle(a!, "sent", HOUR, "audit-a")
    const failed = run.commit()
    run.notCommitted(failed)
    const c = run.commit()
    expect(c.audit).toEqual(["audit-a"])
    expect(c.delta).toMatchObject({ sent: 1, read: 1 })
    expect(c.hours.reduce((n, b) => n + b.sent, 0)).toBe(1)
  })
})
