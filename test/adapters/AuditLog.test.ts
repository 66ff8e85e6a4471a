import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { readFile, stat } from "node:fs/promises"
import { join } from "node:path"
import { AuditLog, auditPath, layer, layerTest, type MemoryAudit } from "../../src/adapters/AuditLog.js"
import { auditLine, sentSince } from "../../src/domain/AuditRecord.js"
import { tempDir } from "../support/TempDir.js"

const lines = Array.from({ length: 60 }, (_, i) => auditLine(Date.UTC(2026, 0, 1, 0, i), JSON.stringify({ n: i })))
const CAP = 1000

/** Appends the lines three at a time (one write per checkpoint) and reads back what is kept. */
const appendAll = Effect.gen(function* () {
  const audit = yield* AuditLog
  for (let i = 0; i < lines.length; i += 3) yield* audit.append(lines.slice(i, i + 3))
  return yield* audit.read
})

/** What either layer must keep: the newest lines, in order, the oldest dropped with rotated-out files. */
const expectNewestKept = (kept: ReadonlyArray<string>) => {
  expect(kept.length).toBeLessThan(lines.length)
  expect(kept.length).toBeGreaterThan(0)
  expect(kept).toEqual(lines.slice(lines.length - kept.length))
  expect(kept.map((l) => sentSince(l, undefined))).toEqual(kept.map((_, i) => JSON.stringify({ n: lines.length - kept.length + i })))
}

describe("audit record", () => {
  it.scoped("live: 0600 beside the state file, rotated to .1 at the cap, so at most two files of at most the cap each; read oldest first", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir()
      const state = join(dir, "state.json")
      const path = auditPath(state)
      expect(path).toBe(join(dir, "sent-audit.jsonl"))
      const kept = yield* appendAll.pipe(Effect.provide(layer(state, CAP)))
      expect((yield* Effect.promise(() => stat(path))).mode & 0o777).toBe(0o600)
      for (const p of [path, `${path}.1`]) expect((yield* Effect.promise(() => stat(p))).size).toBeLessThanOrEqual(CAP)
      expectNewestKept(kept)
      expect(yield* Effect.promise(() => readFile(path, "utf8"))).toMatch(/\n$/)
    })
  )

  it.scoped("live: no record yet reads as none; a directory that cannot be written is an AuditError naming the file", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir()
      const missing = join(dir, "no", "such", "state.json")
      const audit = yield* Effect.provide(AuditLog, layer(missing))
      expect(yield* audit.read).toEqual([])
      const e = yield* Effect.flip(audit.append(["{}"]))
      expect(e._tag).toBe("AuditError")
      expect(e.message).toContain(auditPath(missing))
    })
  )

  it.effect("test layer: in memory, with the same rotation", () =>
    Effect.gen(function* () {
      const files: MemoryAudit = { current: [], rotated: [] }
      const kept = yield* appendAll.pipe(Effect.provide(layerTest(files, CAP)))
      expectNewestKept(kept)
      expect(Buffer.byteLength(files.current.join("\n") + "\n")).toBeLessThanOrEqual(CAP)
      expect(kept).toEqual([...files.rotated, ...files.current])
    })
  )

  it("--since filters by the time the body was acknowledged", () => {
    const l = auditLine(Date.UTC(2026, 0, 1, 12), '{"a":1}')
    expect(sentSince(l, Date.UTC(2026, 0, 1, 11))).toBe('{"a":1}')
    expect(sentSince(l, Date.UTC(2026, 0, 1, 13))).toBeUndefined()
    expect(sentSince("not an audit line", undefined)).toBeUndefined()
  })
})
