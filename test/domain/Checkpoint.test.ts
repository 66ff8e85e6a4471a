import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import type { FileCheckpoint } from "../../src/domain/AgentState.js"
import { AckTracker, checkpointsFor, hasNewBytes, type ObservedFile, planRead } from "../../src/domain/Checkpoint.js"

const file = (path: string, fingerprint: string | undefined, size: number, ino: number): ObservedFile => ({ path, fingerprint, size, dev: 1, ino })
const cp = (path: string, fingerprint: string, offset: number, ino: number): FileCheckpoint => ({ path, fingerprint, offset, dev: 1, ino })
const starts = (files: Array<ObservedFile>, cps: Array<FileCheckpoint>) => planRead(files, cps).map((p) => [p.path, p.start, p.reason])

describe("planRead", () => {
  it("reads a file it does not know from 0", () => {
    expect(starts([file("eve.json", "A", 100, 1)], [])).toEqual([["eve.json", 0, "new"]])
  })

  it("resumes a known file at its offset", () => {
    expect(starts([file("eve.json", "A", 100, 1)], [cp("eve.json", "A", 60, 1)])).toEqual([["eve.json", 60, "resume"]])
  })

  it("rename rotation: the renamed file resumes, the new eve.json starts at 0", () => {
    expect(starts([file("eve.json.1", "A", 120, 1), file("eve.json", "B", 30, 2)], [cp("eve.json", "A", 60, 1)])).toEqual([
      ["eve.json.1", 60, "resume"],
      ["eve.json", 0, "new"]
    ])
  })

  it("rotations while not running, renumbering included: names do not matter, content does", () => {
    const before = [cp("eve.json.1", "A", 500, 1), cp("eve.json", "B", 70, 2)]
    const now = [file("eve.json.3", "A", 500, 1), file("eve.json.2", "B", 90, 2), file("eve.json.1", "C", 40, 3), file("eve.json", "D", 10, 4)]
    expect(starts(now, before)).toEqual([
      ["eve.json.3", 500, "resume"],
      ["eve.json.2", 70, "resume"],
      ["eve.json.1", 0, "new"],
      ["eve.json", 0, "new"]
    ])
  })

  it("copytruncate: the copy (new inode) resumes where the original stopped", () => {
    expect(starts([file("eve.json.1", "A", 100, 9), file("eve.json", undefined, 0, 1)], [cp("eve.json", "A", 80, 1)])).toEqual([
      ["eve.json.1", 80, "resume"]
    ])
    // Truncated and rewritten: new content, new fingerprint.
    expect(starts([file("eve.json.1", "A", 100, 9), file("eve.json", "B", 20, 1)], [cp("eve.json", "A", 80, 1)])).toEqual([
      ["eve.json.1", 80, "resume"],
      ["eve.json", 0, "new"]
    ])
  })

  it("truncation in place (size < offset) restarts the file at 0", () => {
    expect(starts([file("eve.json", "A", 40, 1)], [cp("eve.json", "A", 80, 1)])).toEqual([["eve.json", 0, "truncated"]])
  })

  it("a copy still being written (shorter, another inode) waits at the offset instead of starting again", () => {
    expect(starts([file("eve.json.1", "A", 40, 9), file("eve.json", undefined, 0, 1)], [cp("eve.json", "A", 80, 1)])).toEqual([
      ["eve.json.1", 80, "resume"]
    ])
  })

  it("copytruncate caught half-way: the copy and the original (same first line) are one stream, read once", () => {
    // Both read from the checkpoint sent 80..100 twice (the send-events model test, seed 19).
    expect(starts([file("eve.json.1", "A", 100, 9), file("eve.json", "A", 100, 1)], [cp("eve.json", "A", 80, 1)])).toEqual([
      ["eve.json", 80, "resume"]
    ])
    // The copy still being written: the original, longer, is read.
    expect(starts([file("eve.json.1", "A", 40, 9), file("eve.json", "A", 100, 1)], [cp("eve.json", "A", 80, 1)])).toEqual([
      ["eve.json", 80, "resume"]
    ])
    // The original cut short already (truncated and rewritten from the same line): the copy, longer, is read.
    expect(starts([file("eve.json.1", "A", 100, 9), file("eve.json", "A", 30, 1)], [cp("eve.json", "A", 80, 1)])).toEqual([
      ["eve.json.1", 80, "resume"]
    ])
    // A first run (no checkpoint) reads one of them from 0, not both.
    expect(starts([file("eve.json.1", "A", 100, 9), file("eve.json", "A", 100, 1)], [])).toEqual([["eve.json", 0, "new"]])
  })

  it("after the half-way run, the copy alone resumes at the offset delivered from the original", () => {
    const plans = planRead([file("eve.json.1", "A", 100, 9), file("eve.json", "A", 100, 1)], [cp("eve.json", "A", 80, 1)])
    const written = checkpointsFor(plans, () => 100)
    expect(written).toEqual([cp("eve.json", "A", 100, 1)])
    // Truncated now: only the copy carries A, and nothing in it is left to send.
    const next = planRead([file("eve.json.1", "A", 100, 9), file("eve.json", undefined, 0, 1)], written)
    expect(next.map((p) => [p.path, p.start, p.reason])).toEqual([["eve.json.1", 100, "resume"]])
    expect(hasNewBytes(next)).toBe(false)
  })

  it("prefers the checkpoint of the same inode, then the same path, when fingerprints repeat", () => {
    const cps = [cp("eve.json.1", "A", 10, 7), cp("eve.json", "A", 50, 1)]
    expect(starts([file("eve.json.1", "A", 100, 7)], cps)).toEqual([["eve.json.1", 10, "resume"]])
    expect(starts([file("eve.json", "A", 100, 1)], cps)).toEqual([["eve.json", 50, "resume"]])
  })

  it("leaves out files without a complete first line, and forgets deleted files", () => {
    const plans = planRead([file("eve.json.1", "A", 100, 1), file("eve.json", undefined, 5, 2)], [cp("gone.json", "Z", 10, 3), cp("eve.json.1", "A", 100, 1)])
    expect(plans.map((p) => p.path)).toEqual(["eve.json.1"])
    expect(hasNewBytes(plans)).toBe(false)
    expect(checkpointsFor(plans, (p) => p.start)).toEqual([cp("eve.json.1", "A", 100, 1)])
  })
})

describe("AckTracker", () => {
  it("moves only past a contiguous prefix of answers", () => {
    const t = new AckTracker(100)
    t.advance(150) // lines that need no answer
    expect(t.offset).toBe(150)
    const a = t.add(200)
    const b = t.add(260)
    t.advance(300)
    const c = t.add(350)
    t.done(b)
    expect(t.offset).toBe(150)
    t.done(a)
    expect(t.offset).toBe(300)
    expect(t.pending).toBe(1)
    t.done(c)
    expect(t.offset).toBe(350)
    t.done(c) // a repeated answer changes nothing
    expect(t.pending).toBe(0)
  })

  it("never passes an event in flight, whatever order answers come in (property)", () => {
    const script = fc.array(fc.record({ event: fc.boolean(), len: fc.integer({ min: 1, max: 500 }) }), { minLength: 1, maxLength: 300 })
    fc.assert(
      fc.property(script, fc.array(fc.nat(), { maxLength: 600 }), (items, order) => {
        const t = new AckTracker(0)
        let end = 0
        const events: Array<{ id: number; start: number; end: number }> = []
        for (const it of items) {
          const start = end
          end += it.len
          if (it.event) events.push({ id: t.add(end), start, end })
          else t.advance(end)
        }
        const open = new Set(events.map((e) => e.id))
        const pick = [...order.map((o) => events[o % events.length]), ...events].filter((e) => e !== undefined)
        for (const e of pick) {
          t.done(e.id)
          open.delete(e.id)
          const firstOpen = events.find((x) => open.has(x.id))
          // Exactly up to the start of the first event still in flight (items are contiguous), or the end.
          expect(t.offset).toBe(firstOpen === undefined ? end : firstOpen.start)
        }
        expect(t.offset).toBe(end)
        expect(t.pending).toBe(0)
      }),
      { numRuns: 300 }
    )
  })
})

