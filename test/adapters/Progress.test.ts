import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { layerTest, Progress } from "../../src/adapters/Progress.js"

const count = (done: number) => () => ({ doing: "sending", done, unit: "alerts", total: 100 })

describe("Progress", () => {
  it.effect("draws at most every 250 ms of the Clock, the first line 250 ms after the first update, and is cleared once", () =>
    Effect.gen(function* () {
      const drawn: Array<string> = []
      yield* Effect.gen(function* () {
        const p = yield* Progress
        let asked = 0
        yield* p.update(() => ((asked++), count(1)()))
        for (const [ms, done] of [[100, 2], [150, 3], [100, 4], [1000, 50], [10, 51]] as const) {
          yield* TestClock.adjust(ms)
          yield* p.update(count(done))
        }
        // Only the lines drawn were formatted.
        expect(asked).toBe(0)
        yield* p.clear
        yield* p.clear
        // A new run: its rate counts from its own first update.
        yield* p.update(count(1))
        yield* TestClock.adjust(2000)
        yield* p.update(count(100))
        yield* p.clear
      }).pipe(Effect.provide(layerTest(drawn)))
      expect(drawn).toEqual([
        "sending: 3 of 100 alerts",
        "sending: 50 of 100 alerts, 37/s",
        "(cleared)",
        "sending: 100 of 100 alerts, 50/s",
        "(cleared)"
      ])
    })
  )

  it.effect("without a layer it is silent (a cosmetic: nothing to provide)", () =>
    Effect.gen(function* () {
      const p = yield* Progress
      yield* p.update(count(1))
      yield* TestClock.adjust(1000)
      yield* p.update(() => {
        throw new Error("never formatted")
      })
      yield* p.clear
    })
  )
})
