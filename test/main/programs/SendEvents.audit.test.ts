/** The audit record through the AuditLog service: what send-events puts on record, and dump --sent prints. */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, TestClock } from "effect"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { afterEach } from "vitest"
import { AuditError, layerTest, makeMemory, type MemoryAudit } from "../../../src/adapters/AuditLog.js"
import * as Output from "../../../src/adapters/Output.js"
import { auditLine } from "../../../src/domain/AuditRecord.js"
import { dumpSent } from "../../../src/main/programs/DumpSent.js"
import { sendEvents } from "../../../src/main/programs/SendEvents.js"
import { alertLine, layers, makeDirs, sendOptions } from "../../support/SendHarness.js"
import { type Sink, startSink } from "../../support/TelemetrySink.js"

let sinks: Array<Sink> = []
afterEach(async () => {
  await Promise.all(sinks.map((s) => s.close()))
  sinks = []
})

const deliver = (audit: Parameters<typeof sendEvents>[0]["audit"]) =>
  Effect.gen(function* () {
    const sink = yield* Effect.promise(() => startSink())
    sinks.push(sink)
    const dirs = yield* Effect.promise(() => makeDirs())
    yield* Effect.promise(() => writeFile(join(dirs.log, "eve.json"), [1, 2, 3].map((i) => alertLine(i)).join("")))
    sink.reply = (_r, n) => (n === 1 ? { status: 400 } : { status: 201 })
    return yield* Effect.gen(function* () {
      const exit = yield* Effect.exit(Effect.scoped(sendEvents({ ...sendOptions(dirs, { baseUrl: sink.url }), ...(audit ? { audit } : {}) })))
      return { exit, sink, stderr: (yield* Output.CapturedOutput).stderr.join("\n") }
    }).pipe(Effect.provide(layers(dirs, { baseUrl: sink.url })))
  })

describe("send-events audit record", () => {
  it.live("the bodies the service acknowledged go on record, exactly as sent; a rejected one does not", () =>
    Effect.gen(function* () {
      const files: MemoryAudit = { current: [], rotated: [] }
      const { exit, sink } = yield* deliver(makeMemory(files))
      expect(Exit.isSuccess(exit)).toBe(true)
      const recorded = files.current.map((l) => (JSON.parse(l) as { event: unknown }).event)
      expect(recorded.map((e) => JSON.stringify(e)).sort()).toEqual([...sink.accepted].sort())
      expect(sink.accepted).toHaveLength(2)
    })
  )

  it.live("a record that cannot be written is a warning naming the file; the run still succeeds", () =>
    Effect.gen(function* () {
      const failing = { append: () => Effect.fail(new AuditError({ path: "/x/sent-audit.jsonl", message: "audit file /x/sent-audit.jsonl not written: ENOSPC" })) }
      const { exit, stderr } = yield* deliver(failing)
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(stderr).toContain("emergingthreats: send-events: warning: audit file /x/sent-audit.jsonl not written: ENOSPC")
    })
  )
})

describe("dump --sent", () => {
  it.effect("prints the bodies acknowledged within --since, oldest first, and says how many from where", () =>
    Effect.gen(function* () {
      const t = Date.UTC(2026, 5, 1, 12)
      yield* TestClock.setTime(t)
      const files: MemoryAudit = {
        rotated: [auditLine(t - 3 * 86_400_000, '{"n":1}')],
        current: [auditLine(t - 2 * 3_600_000, '{"n":2}'), "torn line", auditLine(t - 60_000, '{"n":3}')]
      }
      const captured = yield* Effect.gen(function* () {
        const printed = yield* dumpSent({ sinceMs: t - 86_400_000, sinceText: "1d" })
        expect(printed).toBe(2)
        return yield* Output.CapturedOutput
      }).pipe(Effect.provide(Layer.merge(layerTest(files), Output.layerTest())))
      expect(captured.stdout.join("")).toBe('{"n":2}\n{"n":3}\n')
      expect(captured.stderr).toEqual(["emergingthreats: dump: 2 bodies sent in the last 1d, from (memory)"])
      const all = yield* Effect.gen(function* () {
        yield* dumpSent({ sinceMs: undefined, sinceText: undefined })
        return yield* Output.CapturedOutput
      }).pipe(Effect.provide(Layer.merge(layerTest(files), Output.layerTest())))
      expect(all.stdout.join("")).toBe('{"n":1}\n{"n":2}\n{"n":3}\n')
    })
  )
})
