import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { readFile, stat } from "node:fs/promises"
import { join } from "node:path"
import { appendAudit, readAudit } from "../../src/adapters/AuditLog.js"
import { auditLine, sentSince } from "../../src/domain/AuditRecord.js"
import { tempDir } from "../support/TempDir.js"

describe("audit file", () => {
  it.scoped("0600, rotated to .1 at the cap, so at most two files of at most the cap each; read oldest first", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir()
      const path = join(dir, "sent-audit.jsonl")
      const cap = 1000
      const lines = Array.from({ length: 60 }, (_, i) => auditLine(Date.UTC(2026, 0, 1, 0, i), JSON.stringify({ n: i })))
      for (let i = 0; i < lines.length; i += 3) yield* appendAudit(path, lines.slice(i, i + 3), cap)
      const mode = (yield* Effect.promise(() => stat(path))).mode & 0o777
      expect(mode).toBe(0o600)
      for (const p of [path, `${path}.1`]) expect((yield* Effect.promise(() => stat(p))).size).toBeLessThanOrEqual(cap)
      const kept = yield* readAudit(path)
      // The newest lines are all there, in order; the oldest were dropped with the file rotated out twice.
      expect(kept.length).toBeLessThan(lines.length)
      expect(kept).toEqual(lines.slice(lines.length - kept.length))
      expect(kept.map((l) => sentSince(l, undefined))).toEqual(kept.map((_, i) => JSON.stringify({ n: lines.length - kept.length + i })))
      expect(yield* Effect.promise(() => readFile(path, "utf8"))).toMatch(/\n$/)
    })
  )

  it("--since filters by the time the body was acknowledged", () => {
    const l = auditLine(Date.UTC(2026, 0, 1, 12), '{"a":1}')
    expect(sentSince(l, Date.UTC(2026, 0, 1, 11))).toBe('{"a":1}')
    expect(sentSince(l, Date.UTC(2026, 0, 1, 13))).toBeUndefined()
    expect(sentSince("not an audit line", undefined)).toBeUndefined()
  })
})
