/**
 * send-events under the default `skip` policy (issue 22), on test layers under TestClock: an event the
 * service answers with an error is tried at most 3 times in all and passed; a service that cannot be reached,
 * or what answers that is not the API (an HTML page, a redirect), a wrong URL or a refused token never eat an
 * event: the checkpoint stays. And the budget is measured on the monotonic clock (issue 24 row 3).
 */
import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Exit, Fiber, Layer, Option, TestClock } from "effect"
import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import * as Credentials from "../../../src/adapters/Credentials.js"
import * as EveLog from "../../../src/adapters/EveLog.js"
import * as Output from "../../../src/adapters/Output.js"
import * as StateStore from "../../../src/adapters/StateStore.js"
import { TelemetryApi } from "../../../src/adapters/TelemetryApi.js"
import { type ApiCall, type ApiReply, layerTest } from "../../../src/adapters/TelemetryApiTest.js"
import { type ApiError, BadResponseError, TransportError } from "../../../src/domain/ApiError.js"
import type { DeliveryPolicy } from "../../../src/domain/Delivery.js"
import { sendEvents } from "../../../src/main/programs/SendEvents.js"
import { alertLine, type Dirs, makeDirs, readState, sendOptions } from "../../support/SendHarness.js"

const NOW = Date.UTC(2026, 10, 2, 12, 0, 0)
const AT = NOW - 60_000
const POLICY = { baseMs: 1000, capMs: 2000, budgetMs: 10_000 }
const flowId = (c: ApiCall) => (c.call === "event" ? (JSON.parse(c.body) as { flow_id: number }).flow_id : -1)

/** A learned deadline, as the live client keeps it (the test layer has none). */
interface Deadline {
  readonly current: () => number
  readonly learn: (ms: number) => void
}

const sensor = (
  ids: ReadonlyArray<number>,
  answer: (c: ApiCall, n: number) => ApiReply | ApiError,
  delivery?: DeliveryPolicy,
  deadline?: Deadline
) =>
  Effect.gen(function* () {
    const dirs: Dirs = yield* Effect.promise(makeDirs)
    const eve = join(dirs.log, "eve.json")
    yield* Effect.promise(() => writeFile(eve, ids.map((i) => alertLine(i, AT)).join("")))
    const calls: Array<ApiCall> = []
    const api = layerTest((c) => answer(c, calls.push(c)))
    const layer = Layer.mergeAll(
      deadline === undefined
        ? api
        : Layer.effect(TelemetryApi, Effect.map(TelemetryApi, (a) => ({ ...a, deadline }))).pipe(Layer.provide(api)),
      Credentials.layerTest({ token: "tok3n", source: "/etc/rule-updater.config", trimmed: false, warnings: [] }),
      StateStore.layer(dirs.state),
      EveLog.layer,
      Output.layerTest()
    )
    // No `delivery` given: the program's default.
    const { delivery: _, ...base } = sendOptions(dirs, { baseUrl: "unused" })
    const run = Effect.gen(function* () {
      const exit = yield* Effect.exit(Effect.scoped(sendEvents({ ...base, policy: POLICY, ...(delivery === undefined ? {} : { delivery }) })))
      return { exit, stderr: (yield* Output.CapturedOutput).stderr.join("\n") }
    }).pipe(Effect.provide(layer))
    const size = Effect.promise(() => readFile(eve).then((b) => b.length))
    return { dirs, eve, calls, run, size }
  })

/** Lets the forked run do its file I/O until `ready` holds or it ends (bounded, `ms`). */
const settle = (fiber: Fiber.RuntimeFiber<unknown, unknown>, ready: () => boolean = () => false, ms = 2000) =>
  Effect.gen(function* () {
    for (let i = 0; i < ms / 5 && !ready() && Option.isNone(yield* Fiber.poll(fiber)); i++) {
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 5)))
    }
  })

/** Runs `run` to its end, moving the clock a second at a time while it waits (at most `seconds`). */
const drive = <A>(run: Effect.Effect<A>, calls: ReadonlyArray<unknown>, seconds = 200) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(run)
    let moved = 0
    yield* settle(fiber)
    for (; moved < seconds && Option.isNone(yield* Fiber.poll(fiber)); moved++) {
      const n = calls.length
      yield* TestClock.adjust("1 second")
      yield* settle(fiber, () => calls.length > n, 150)
    }
    // Still waiting after `seconds`: stopped (the test then fails on `moved`), never left hanging.
    if (Option.isNone(yield* Fiber.poll(fiber))) yield* Fiber.interrupt(fiber)
    return { result: yield* Fiber.join(fiber), moved }
  })

const errorOf = <A, E>(exit: Exit.Exit<A, E>) => (Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined)

describe("send-events under skip (the default)", () => {
  it.effect("a 503 to one event: two quick retries, then it is counted skipped and the checkpoint passes it; never sent again", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const s = yield* sensor([1, 2, 3], (c) => ({ status: flowId(c) === 2 ? 503 : 201 }))
      const { result: r } = yield* drive(s.run, s.calls)
      expect(Exit.isSuccess(r.exit)).toBe(true)
      expect(s.calls.map(flowId).filter((i) => i === 2)).toHaveLength(3)
      const state = yield* Effect.promise(() => readState(s.dirs))
      expect(state.files[0]!.offset).toBe(yield* s.size)
      expect(state.counters).toMatchObject({ selected: 3, sent: 2, rejected: 0, skipped: 1 })
      expect(r.stderr).toContain("2 sent, 0 rejected, 1 skipped")
      expect(r.stderr).toMatch(/event skipped \(not sent again\): .*HTTP 503/)
      const again = yield* s.run
      expect(Exit.isSuccess(again.exit) && again.exit.value.outcome).toBe("nothing-new")
      expect(s.calls).toHaveLength(5)
    })
  )

  it.effect("the same 503 under --delivery at-least-once keeps the checkpoint before the event until it is answered", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      let up = false
      const s = yield* sensor([1, 2, 3], (c) => ({ status: flowId(c) === 2 && !up ? 503 : 201 }), "at-least-once")
      const { result: r } = yield* drive(s.run, s.calls)
      expect(errorOf(r.exit)).toMatchObject({ _tag: "DeliveryFailed" })
      const state = yield* Effect.promise(() => readState(s.dirs))
      expect(state.files[0]!.offset).toBeLessThan(yield* s.size)
      up = true
      const again = yield* s.run
      expect(Exit.isSuccess(again.exit)).toBe(true)
      expect(s.calls.map(flowId).filter((i) => i === 2).length).toBeGreaterThan(3)
      expect((yield* Effect.promise(() => readState(s.dirs))).files[0]!.offset).toBe(yield* s.size)
    })
  )

  const keeps: ReadonlyArray<[string, () => ApiReply | ApiError, string]> = [
    ["an HTML page (a captive portal)", () => new BadResponseError({ url: "u", message: "u answered with an HTML page (HTTP 200), not the API's answer" }), "DeliveryFailed"],
    ["a redirect", () => new BadResponseError({ url: "u", message: "u answered with a redirect (HTTP 302), not the API's answer" }), "DeliveryFailed"],
    ["no answer (connection refused)", () => new TransportError({ url: "u", reason: "refused", message: "connection refused by u" }), "DeliveryFailed"],
    ["404 to everything", () => ({ status: 404 }), "WrongBaseUrl"],
    ["401", () => ({ status: 401 }), "TokenRefused"]
  ]
  for (const [what, answer, tag] of keeps) {
    it.effect(`${what}: nothing is skipped, the checkpoint stays for the next run`, () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(NOW)
        const s = yield* sensor([1, 2], answer)
        const { result: r } = yield* drive(s.run, s.calls)
        expect(errorOf(r.exit)).toMatchObject({ _tag: tag })
        const state = yield* Effect.promise(() => readState(s.dirs))
        expect(state.files.every((f) => f.offset === 0)).toBe(true)
        expect(state.counters.skipped ?? 0).toBe(0)
        expect(state.counters.sent).toBe(0)
      })
    )
  }

  it.effect("a timed-out event is tried at most 3 times in all, across runs: the state remembers the attempts", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const timeout = new TransportError({ url: "u", reason: "timeout", message: "no answer in 5000 ms from u" })
      const s = yield* sensor([1, 2], (c) => (flowId(c) === 2 ? timeout : { status: 201 }))
      // First run: event 2 times out once and the run is stopped (SIGTERM) while it waits to retry.
      const fiber = yield* Effect.fork(s.run)
      yield* settle(fiber, () => s.calls.length >= 2)
      yield* settle(fiber, () => false)
      yield* Fiber.interrupt(fiber)
      const mid = yield* Effect.promise(() => readState(s.dirs))
      expect(mid.delivery?.tried).toEqual([expect.objectContaining({ tries: 1 })])
      // Next run: two more attempts, then skipped.
      const { result: r } = yield* drive(s.run, s.calls)
      expect(Exit.isSuccess(r.exit)).toBe(true)
      expect(s.calls.map(flowId).filter((i) => i === 2)).toHaveLength(3)
      const end = yield* Effect.promise(() => readState(s.dirs))
      expect(end.counters).toMatchObject({ skipped: 1 })
      expect(end.delivery?.tried ?? []).toEqual([])
      expect(end.files[0]!.offset).toBe(yield* s.size)
    })
  )

  it.effect("the retry budget is measured on the monotonic clock: a wall-clock step back of 1 h does not extend it", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const test = yield* Effect.clock
      let stepped = false
      // Wall time steps back an hour at the second attempt; the monotonic reading (and sleep) are the TestClock's.
      const wall = () => test.unsafeCurrentTimeMillis() - (stepped ? 3_600_000 : 0)
      const clock: Clock.Clock = {
        [Clock.ClockTypeId]: Clock.ClockTypeId,
        unsafeCurrentTimeMillis: wall,
        currentTimeMillis: Effect.sync(wall),
        unsafeCurrentTimeNanos: () => test.unsafeCurrentTimeNanos(),
        currentTimeNanos: test.currentTimeNanos,
        sleep: (d) => test.sleep(d)
      }
      // The step comes once the run is in trouble (after the first failure), as in issue 24 row 3.
      const s = yield* sensor([1], (_c, n) => {
        if (n >= 2) stepped = true
        return new TransportError({ url: "u", reason: "refused", message: "connection refused by u" })
      })
      const { result: r, moved } = yield* drive(s.run.pipe(Effect.withClock(clock)), s.calls, 60)
      // Gave up once the 60 s budget was spent, not an hour later.
      expect(moved).toBeLessThanOrEqual(POLICY.budgetMs / 1000 + 5)
      expect(errorOf(r.exit)).toMatchObject({ _tag: "DeliveryFailed" })
    })
  )

  it.effect("the deadline learned from a timeout is kept in the state and given to the next run's client", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      let current = 5000
      const learned: Array<number> = []
      const deadline: Deadline = { current: () => current, learn: (ms) => void learned.push((current = ms)) }
      const timeout = new TransportError({ url: "u", reason: "timeout", message: "no answer in 5000 ms from u" })
      const s = yield* sensor([1], (_c, n) => {
        if (n > 1) return { status: 201 }
        current = 10_000 // the live client doubles its deadline after a timeout
        return timeout
      }, undefined, deadline)
      const { result: r } = yield* drive(s.run, s.calls)
      expect(Exit.isSuccess(r.exit)).toBe(true)
      expect((yield* Effect.promise(() => readState(s.dirs))).delivery?.deadlineMs).toBe(10_000)
      current = 5000
      yield* Effect.promise(() => writeFile(s.eve, alertLine(2, AT), { flag: "a" }))
      yield* drive(s.run, s.calls)
      expect(learned).toEqual([10_000])
      // That run had no timeout: the deadline is forgotten, the next run starts from --timeout again.
      expect((yield* Effect.promise(() => readState(s.dirs))).delivery?.deadlineMs).toBeUndefined()
    })
  )
})
