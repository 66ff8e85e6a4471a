/** replay's simulated clock: time moves only by `set`; a sleep ends when the time passes its end. */
import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Fiber, Option } from "effect"
import { makeSimClock } from "../../../src/main/programs/SimClock.js"

describe("SimClock", () => {
  it.live("a sleep waits for `set` to pass its end; `wakes` lists it until then; an interrupted one is dropped", () =>
    Effect.gen(function* () {
      const sim = makeSimClock(1_000)
      const slept = yield* Effect.fork(Effect.withClock(Effect.zipRight(Effect.sleep("5 seconds"), Clock.currentTimeMillis), sim.clock))
      yield* Effect.yieldNow()
      expect(sim.wakes()).toEqual([6_000])
      yield* sim.set(5_999)
      yield* Effect.yieldNow()
      expect(Option.isNone(yield* Fiber.poll(slept))).toBe(true)
      yield* sim.set(6_000)
      expect(yield* Fiber.join(slept)).toBe(6_000)
      expect(sim.wakes()).toEqual([])
      const gone = yield* Effect.fork(Effect.withClock(Effect.sleep("1 hour"), sim.clock))
      yield* Effect.yieldNow()
      expect(sim.wakes()).toHaveLength(1)
      yield* Fiber.interrupt(gone)
      expect(sim.wakes()).toEqual([])
    })
  )

  it.effect("never moves back", () =>
    Effect.gen(function* () {
      const sim = makeSimClock(10_000)
      yield* sim.set(5_000)
      expect(sim.now()).toBe(10_000)
      expect(yield* Effect.withClock(Clock.currentTimeMillis, sim.clock)).toBe(10_000)
    })
  )
})
