/** The long-running agent's schedules on a simulated clock (TestClock): a day of runs in milliseconds. */
import { describe, expect, it } from "@effect/vitest"
import { Clock, Deferred, Effect, Fiber, Ref, TestClock } from "effect"
import * as Output from "../../../src/adapters/Output.js"
import { defaultRunConfig, drawPlan, HOUR, MINUTE, type RunPlan } from "../../../src/domain/Schedule.js"
import { runAgent, type Tasks } from "../../../src/main/programs/RunAgent.js"

const plan: RunPlan = drawPlan(defaultRunConfig, { events: 0.37, heartbeat: 0.61, sensorInfo: 0.13, rules: 0.42 })
const utc = () => 0

const counter = () => Ref.make<Array<number>>([])
const tick = (r: Ref.Ref<Array<number>>) => Effect.flatMap(Clock.currentTimeMillis, (t) => Ref.update(r, (a) => [...a, t]))

/** Runs the agent for `hours` of simulated time from midnight UTC, then stops it. */
const day = <R>(tasks: Tasks<R>, hours = 24) =>
  Effect.gen(function* () {
    const stop = yield* Deferred.make<void>()
    const fiber = yield* Effect.fork(runAgent(tasks, { plan, offsetMs: utc, stop }))
    yield* TestClock.adjust(hours * HOUR)
    yield* Deferred.succeed(stop, undefined)
    return yield* Fiber.join(fiber)
  })

describe("run schedules over a simulated day", () => {
  it.effect("1,440 event runs, 24 heartbeats, 24 sensor-info calls, 1 rules update", () =>
    Effect.gen(function* () {
      const [events, heartbeat, sensorInfo, rules] = [yield* counter(), yield* counter(), yield* counter(), yield* counter()]
      const result = yield* day({ events: tick(events), heartbeat: tick(heartbeat), sensorInfo: tick(sensorInfo), rules: tick(rules) })
      const e = yield* Ref.get(events)
      const h = yield* Ref.get(heartbeat)
      expect(e).toHaveLength(1440)
      expect(h).toHaveLength(24)
      expect(yield* Ref.get(sensorInfo)).toHaveLength(24)
      expect(yield* Ref.get(rules)).toEqual([3 * HOUR + plan.rulesJitterMs])
      // On the phase drawn at start: every minute at the same second, every hour at the same minute.
      expect(new Set(e.map((t) => t % MINUTE))).toEqual(new Set([plan.eventsPhaseMs]))
      expect(new Set(h.map((t) => t % HOUR))).toEqual(new Set([plan.heartbeatPhaseMs]))
      expect(result.counts.events).toEqual({ runs: 1440, failures: 0 })
    }).pipe(Effect.provide(Output.layerTest())))

  // Six simulated hours (each wake-up of TestClock costs real milliseconds): past the 03:25 rules slot.
  it.effect("a task that fails or dies every time never stops the others", () =>
    Effect.gen(function* () {
      const events = yield* counter()
      const result = yield* day({
        events: tick(events),
        heartbeat: Effect.fail(new Error("service unreachable")),
        sensorInfo: Effect.die("boom"),
        rules: Effect.flatMap(Clock.currentTimeMillis, () => Effect.fail({ message: "archive refused" }))
      }, 6)
      expect(yield* Ref.get(events)).toHaveLength(360)
      expect(result.counts).toMatchObject({
        heartbeat: { runs: 6, failures: 6 },
        sensorInfo: { runs: 6, failures: 6 },
        rules: { runs: 1, failures: 1 }
      })
      const err = (yield* Output.CapturedOutput).stderr
      expect(err.filter((l) => l.includes("send-heartbeat failed: service unreachable"))).toHaveLength(6)
      expect(err.some((l) => l.includes("rules update failed: archive refused"))).toBe(true)
      expect(err.some((l) => l.includes("sensor-info failed: internal error: boom"))).toBe(true)
      expect(err.every((l) => l.startsWith("emergingthreats: run: "))).toBe(true)
    }).pipe(Effect.provide(Output.layerTest())))

  it.effect("a run longer than its period skips the slots it covered instead of piling them up", () =>
    Effect.gen(function* () {
      const events = yield* counter()
      yield* day({ events: tick(events).pipe(Effect.zipRight(Effect.sleep("90 seconds"))) }, 2)
      const e = yield* Ref.get(events)
      // Each run takes 90 s, so every other minute's slot has passed: 60 runs in 2 hours, two minutes apart.
      expect(e).toHaveLength(60)
      expect(new Set(e.slice(1).map((t, i) => t - e[i]!))).toEqual(new Set([2 * MINUTE]))
    }).pipe(Effect.provide(Output.layerTest())))

  it.effect("a hung run is interrupted at its time limit and the task goes on", () =>
    Effect.gen(function* () {
      const n = yield* Ref.make(0)
      const stop = yield* Deferred.make<void>()
      const hang = Effect.zipRight(Ref.update(n, (x) => x + 1), Effect.never)
      const fiber = yield* Effect.fork(runAgent({ heartbeat: hang }, { plan, offsetMs: utc, stop, taskLimitMs: 5 * MINUTE }))
      yield* TestClock.adjust("3 hours")
      expect(yield* Ref.get(n)).toBe(3)
      yield* Deferred.succeed(stop, undefined)
      const r = yield* Fiber.join(fiber)
      expect(r.counts.heartbeat).toEqual({ runs: 3, failures: 3 })
    }).pipe(Effect.provide(Output.layerTest())))
})

describe("stopping", () => {
  it.effect("lets the run in progress finish, starts nothing new, and returns", () =>
    Effect.gen(function* () {
      const log = yield* Ref.make<Array<string>>([])
      const say = (s: string) => Ref.update(log, (a) => [...a, s])
      const stop = yield* Deferred.make<void>()
      const events = say("start").pipe(Effect.zipRight(Effect.sleep("5 seconds")), Effect.zipRight(say("checkpoint persisted")))
      const fiber = yield* Effect.fork(runAgent({ events }, { plan, offsetMs: utc, stop, graceMs: 10_000 }))
      yield* TestClock.adjust(plan.eventsPhaseMs + 2_000) // the first run is 2 s into its 5 s
      yield* Deferred.succeed(stop, undefined)
      yield* TestClock.adjust("10 minutes")
      const r = yield* Fiber.join(fiber)
      expect(yield* Ref.get(log)).toEqual(["start", "checkpoint persisted"])
      expect(r.drained).toBe(true)
      expect(r.waitedMs).toBe(3_000)
    }).pipe(Effect.provide(Output.layerTest())))

  it.effect("interrupts a run that outlasts the grace period, running its finalizers", () =>
    Effect.gen(function* () {
      const log = yield* Ref.make<Array<string>>([])
      const stop = yield* Deferred.make<void>()
      const events = Effect.never.pipe(Effect.onInterrupt(() => Ref.update(log, (a) => [...a, "finalizer ran"])))
      const fiber = yield* Effect.fork(runAgent({ events }, { plan, offsetMs: utc, stop, graceMs: 10_000 }))
      yield* TestClock.adjust(plan.eventsPhaseMs + 1_000)
      yield* Deferred.succeed(stop, undefined)
      yield* TestClock.adjust("11 seconds")
      const r = yield* Fiber.join(fiber)
      expect(r.drained).toBe(false)
      expect(yield* Ref.get(log)).toEqual(["finalizer ran"])
    }).pipe(Effect.provide(Output.layerTest())))
})


describe("logging", () => {
  it.effect("the same failure every minute is logged once an hour, and recovery once", () =>
    Effect.gen(function* () {
      const broken = yield* Ref.make(true)
      const events = Effect.flatMap(Ref.get(broken), (b) => (b ? Effect.fail(new Error("no token in /x/rule-updater.config")) : Effect.void))
      const stop = yield* Deferred.make<void>()
      const fiber = yield* Effect.fork(runAgent({ events }, { plan, offsetMs: utc, stop }))
      yield* TestClock.adjust(3 * HOUR)
      yield* Ref.set(broken, false)
      yield* TestClock.adjust(10 * MINUTE)
      yield* Deferred.succeed(stop, undefined)
      const r = yield* Fiber.join(fiber)
      expect(r.counts.events).toEqual({ runs: 190, failures: 180 })
      const err = (yield* Output.CapturedOutput).stderr
      const failures = err.filter((l) => l.includes("send-events failed: no token"))
      expect(failures).toHaveLength(3)
      expect(failures[1]).toMatch(/failing since 1970-01-01T00:00:\d\d\.\d+Z, 61 runs/)
      expect(err.filter((l) => l.includes("send-events works again after 180 failed runs"))).toHaveLength(1)
    }).pipe(Effect.provide(Output.layerTest())))
})
