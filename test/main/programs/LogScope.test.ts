/**
 * Issue 24 row 5, on real files and a loopback service: an operator's one-off `send-events --log …/eve.json`
 * on the live state keeps the checkpoints of `eve.json.1`…, so the next ordinary run sends nothing again.
 * Needs SendEvents to keep `keptCheckpoints(...)` (src/domain/Checkpoint.ts) for the files it did not plan.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { appendFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { afterEach } from "vitest"
import { sendEvents } from "../../../src/main/programs/SendEvents.js"
import { alertLine, idsOf, layers, makeDirs, range, runOk, sendOptions } from "../../support/SendHarness.js"
import { type Sink, startSink } from "../../support/TelemetrySink.js"

let sinks: Array<Sink> = []
afterEach(async () => {
  await Promise.all(sinks.map((s) => s.close()))
  sinks = []
})

describe("a run scoped to one file (--log FILE)", () => {
  it.effect("keeps the checkpoints of the rotated files: the next ordinary run re-sends none of them", () =>
    Effect.gen(function* () {
      const sink = yield* Effect.promise(() => startSink())
      sinks.push(sink)
      const dirs = yield* Effect.promise(makeDirs)
      const at = (n: string) => join(dirs.log, n)
      yield* Effect.promise(() => writeFile(at("eve.json.1"), range(1, 100).map((i) => alertLine(i)).join("")))
      yield* Effect.promise(() => writeFile(at("eve.json"), range(101, 5).map((i) => alertLine(i)).join("")))
      yield* runOk(dirs, { baseUrl: sink.url })
      expect(sink.accepted).toHaveLength(105)

      // The operator's one-off run on eve.json alone, after a few new alerts.
      yield* Effect.promise(() => appendFile(at("eve.json"), range(106, 3).map((i) => alertLine(i)).join("")))
      const scoped = yield* Effect.scoped(sendEvents({ ...sendOptions(dirs, { baseUrl: sink.url }), log: at("eve.json") })).pipe(
        Effect.exit,
        Effect.provide(layers(dirs, { baseUrl: sink.url }))
      )
      expect(Exit.isSuccess(scoped)).toBe(true)
      expect(sink.accepted).toHaveLength(108)

      // The next cron run over the directory: nothing of eve.json.1 again.
      yield* runOk(dirs, { baseUrl: sink.url })
      expect(idsOf(sink.accepted).sort((a, b) => a - b)).toEqual(range(1, 108))
    }), 30_000)
})
