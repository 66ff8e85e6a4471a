/** `run` interrupts a delivery past its stop grace: what was acknowledged must not be sent again. */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import * as Output from "../../../src/adapters/Output.js"
import { sendEvents } from "../../../src/main/programs/SendEvents.js"
import { alertLine, idsOf, layers, makeDirs, range, readState, sendOptions } from "../../support/SendHarness.js"
import { startSink } from "../../support/TelemetrySink.js"

describe("send-events interrupted", () => {
  it.live("writes the checkpoint past every acknowledged event; only requests in flight are sent again", () =>
    Effect.gen(function* () {
      // The first six answers are 201; later requests get no answer, so they stay in flight.
      const sink = yield* Effect.promise(() => startSink((r, n) => (n < 6 ? { status: 201, body: "{}" } : "hang")))
      const dirs = yield* Effect.promise(makeDirs)
      const eve = join(dirs.log, "eve.json")
      const lines = range(1, 10).map((id) => alertLine(id))
      yield* Effect.promise(() => writeFile(eve, lines.join("")))
      // No periodic write within the test: only the interruption can have written the checkpoint.
      const run = { baseUrl: sink.url, timeoutMs: 60_000, persistEveryMs: 600_000 }
      const fiber = yield* Effect.fork(Effect.scoped(sendEvents(sendOptions(dirs, run))).pipe(Effect.provide(layers(dirs, run))))
      while (sink.received.length < 10 || sink.accepted.length < 6) yield* Effect.sleep("20 millis")
      // Let the agent read the six answers the sink has sent.
      yield* Effect.sleep("300 millis")
      yield* Fiber.interrupt(fiber)
      // Requests reach the sink in any order: the checkpoint may pass the longest acknowledged prefix only.
      const acked = new Set(idsOf(sink.accepted))
      let prefix = 0
      while (acked.has(prefix + 1)) prefix++
      const state = yield* Effect.promise(() => readState(dirs))
      const text = yield* Effect.promise(() => readFile(eve, "utf8"))
      expect(state.files).toHaveLength(1)
      expect(prefix).toBeGreaterThan(0)
      expect(state.files[0]!.offset).toBe(Buffer.byteLength(lines.slice(0, prefix).join("")))
      expect(text.length).toBeGreaterThan(state.files[0]!.offset)
      yield* Effect.promise(() => sink.close())
    }).pipe(Effect.provide(Output.layerTest()))
  )
})
