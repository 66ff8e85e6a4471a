/** The progress line of long runs (issue 13), through the Progress test layer: send-events' backlog, dump. */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { afterEach } from "vitest"
import * as EveLog from "../../../src/adapters/EveLog.js"
import * as Output from "../../../src/adapters/Output.js"
import * as Progress from "../../../src/adapters/Progress.js"
import { localNetworks } from "../../../src/domain/Network.js"
import { dump } from "../../../src/main/programs/Dump.js"
import { sendEvents } from "../../../src/main/programs/SendEvents.js"
import { alertLine, layers, makeDirs, otherLine, range, sendOptions } from "../../support/SendHarness.js"
import { type Sink, startSink } from "../../support/TelemetrySink.js"

let sink: Sink | undefined
afterEach(async () => {
  await sink?.close()
  sink = undefined
})

describe("send-events progress", () => {
  it.live("counts the alerts answered against a total estimated from the bytes read, exact at the end, then clears the line", () =>
    Effect.gen(function* () {
      sink = yield* Effect.promise(() => startSink())
      const dirs = yield* Effect.promise(() => makeDirs())
      // Two files, other records between the alerts: the estimate is a guess until the last byte is read.
      yield* Effect.promise(() => writeFile(join(dirs.log, "eve.json.1"), range(1, 30).map((i) => alertLine(i) + otherLine(i)).join("")))
      yield* Effect.promise(() => writeFile(join(dirs.log, "eve.json"), range(31, 30).map((i) => alertLine(i)).join("")))
      const drawn: Array<string> = []
      const { exit, stderr } = yield* Effect.gen(function* () {
        const exit = yield* Effect.exit(Effect.scoped(sendEvents(sendOptions(dirs, { baseUrl: sink!.url }))))
        return { exit, stderr: (yield* Output.CapturedOutput).stderr }
      }).pipe(Effect.provide(Layer.merge(layers(dirs, { baseUrl: sink!.url }), Progress.layerTest(drawn, 0))))
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(drawn.at(-1)).toBe("(cleared)")
      const lines = drawn.slice(0, -1)
      // Every answered alert but the first (which starts the clock) drew a line, in order.
      expect(lines).toHaveLength(59)
      lines.forEach((l, i) => expect(l).toMatch(new RegExp(`^sending: ${i + 2} of ~?\\d+ alerts(, \\d+/s)?$`)))
      expect(lines.some((l) => l.includes(" of ~"))).toBe(true)
      expect(lines.at(-1)).toMatch(/^sending: 60 of 60 alerts/)
      expect(stderr.at(-1)).toContain("60 sent")
    })
  )

  it.live("a run with nothing new draws nothing", () =>
    Effect.gen(function* () {
      sink = yield* Effect.promise(() => startSink())
      const dirs = yield* Effect.promise(() => makeDirs())
      yield* Effect.promise(() => writeFile(join(dirs.log, "eve.json"), ""))
      const drawn: Array<string> = []
      yield* Effect.scoped(sendEvents(sendOptions(dirs, { baseUrl: sink.url }))).pipe(
        Effect.provide(Layer.merge(layers(dirs, { baseUrl: sink.url }), Progress.layerTest(drawn, 0)))
      )
      expect(drawn).toEqual([])
    })
  )
})

describe("dump progress", () => {
  it.live("counts the lines read with what was printed, then clears the line before the summary", () =>
    Effect.gen(function* () {
      const dirs = yield* Effect.promise(() => makeDirs())
      // Two files, so two chunks: the first starts the clock, the second draws.
      const eve = join(dirs.log, "eve.json")
      yield* Effect.promise(() => writeFile(`${eve}.1`, range(1, 10).map((i) => alertLine(i) + otherLine(i)).join("")))
      yield* Effect.promise(() => writeFile(eve, range(11, 10).map((i) => alertLine(i) + otherLine(i)).join("")))
      const drawn: Array<string> = []
      const privacy = { local: localNetworks([], []), sids: new Set<number>(), warnings: [] }
      const counts = yield* dump({ log: dirs.log, since: "all", parsed: false, explain: false, privacy }).pipe(
        Effect.provide(Layer.mergeAll(EveLog.layer, Output.layerTest(), Progress.layerTest(drawn, 0)))
      )
      expect(counts.lines).toBe(40)
      expect(drawn).toHaveLength(2)
      expect(drawn[0]).toMatch(new RegExp(`^reading ${eve}: 40 lines(, [\\d,]+/s)?, 40 printed$`))
      expect(drawn[1]).toBe("(cleared)")
    })
  )
})
