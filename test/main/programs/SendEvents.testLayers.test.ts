/**
 * send-events entirely on test layers under TestClock: the API answers from a pure function
 * (TelemetryApiTest), the token comes from Credentials' test layer, the state and the eve log live in a temp
 * directory. Retries and their backoff pass only when the test moves the clock: no real timers, no server.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer, Option, TestClock } from "effect"
import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import * as Credentials from "../../../src/adapters/Credentials.js"
import * as EveLog from "../../../src/adapters/EveLog.js"
import * as Output from "../../../src/adapters/Output.js"
import * as StateStore from "../../../src/adapters/StateStore.js"
import { type ApiCall, type ApiReply, layerTest } from "../../../src/adapters/TelemetryApiTest.js"
import { sendEvents } from "../../../src/main/programs/SendEvents.js"
import { alertLine, type Dirs, makeDirs, otherLine, readState, sendOptions } from "../../support/SendHarness.js"

/** Simulated now: the alerts are written a minute before it, well inside --max-age. */
const NOW = Date.UTC(2026, 10, 2, 12, 0, 0)
const POLICY = { baseMs: 1000, capMs: 4000, budgetMs: 60_000 }

const flowId = (c: ApiCall) => (c.call === "event" ? (JSON.parse(c.body) as { flow_id: number }).flow_id : -1)

/** A temp sensor with `lines` in eve.json, and the layers of one run answering with `answer`. */
const sensor = (lines: ReadonlyArray<string>, answer: (c: ApiCall, n: number) => ApiReply) =>
  Effect.gen(function* () {
    const dirs: Dirs = yield* Effect.promise(makeDirs)
    const eve = join(dirs.log, "eve.json")
    yield* Effect.promise(() => writeFile(eve, lines.join("")))
    const calls: Array<ApiCall> = []
    const layer = Layer.mergeAll(
      layerTest((c) => answer(c, calls.push(c))),
      Credentials.layerTest({ token: "tok3n", source: "/etc/rule-updater.config", trimmed: false, warnings: [] }),
      StateStore.layer(dirs.state),
      EveLog.layer,
      Output.layerTest()
    )
    const run = Effect.gen(function* () {
      const exit = yield* Effect.exit(Effect.scoped(sendEvents({ ...sendOptions(dirs, { baseUrl: "unused" }), policy: POLICY })))
      return { exit, stderr: (yield* Output.CapturedOutput).stderr.join("\n") }
    }).pipe(Effect.provide(layer))
    return { dirs, eve, calls, run }
  })

/**
 * Lets the forked run do its file I/O (the lock, the state, the log) until `ready` holds or it ends; bounded
 * (2 s). The test waits on the I/O here, never the program on a timer.
 */
const settle = (fiber: Fiber.RuntimeFiber<unknown, unknown>, ready: () => boolean = () => false) =>
  Effect.gen(function* () {
    for (let i = 0; i < 400 && !ready() && Option.isNone(yield* Fiber.poll(fiber)); i++) {
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 5)))
    }
  })

describe("send-events on test layers", () => {
  it.effect("201s: every alert sent once, checkpoint at the end of the file, counters and hourly bucket on the clock", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const at = NOW - 60_000
      const s = yield* sensor([alertLine(1, at), otherLine(1, at), alertLine(2, at), alertLine(3, at)], () => ({ status: 201 }))
      const r = yield* s.run
      expect(Exit.isSuccess(r.exit)).toBe(true)
      expect(s.calls.map(flowId).sort()).toEqual([1, 2, 3])
      const state = yield* Effect.promise(() => readState(s.dirs))
      const size = (yield* Effect.promise(() => readFile(s.eve))).length
      expect(state.files.map((f) => f.offset)).toEqual([size])
      expect(state.counters).toMatchObject({ read: 4, selected: 3, sent: 3, rejected: 0, expired: 0 })
      expect(state.hourly).toEqual([{ hour: NOW, seen: 3, sent: 3, rejected: 0, expired: 0 }])
      expect(state.lastSend).toMatchObject({ at: NOW, ok: true })
      expect(r.stderr).toContain("3 sent, 0 rejected, 0 expired")
      // Run again: nothing new, nothing sent.
      const again = yield* s.run
      expect(Exit.isSuccess(again.exit) && again.exit.value.outcome).toBe("nothing-new")
      expect(s.calls).toHaveLength(3)
    })
  )

  it.effect("503s then 201: waits the backoff on the clock, retries, loses nothing", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const at = NOW - 60_000
      // The first two requests get 503, then every request 201.
      const s = yield* sensor([alertLine(1, at), alertLine(2, at)], (_c, n) => ({ status: n <= 2 ? 503 : 201 }))
      const fiber = yield* Effect.fork(s.run)
      yield* settle(fiber, () => s.calls.length >= 2)
      // Both events failed once and wait their backoff: nothing ends while the clock stands still.
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      expect(s.calls).toHaveLength(2)
      // The backoff (at most the 4 s cap) passes on the clock only.
      for (let i = 0; i < 10 && Option.isNone(yield* Fiber.poll(fiber)); i++) {
        yield* TestClock.adjust("1 second")
        yield* settle(fiber, () => s.calls.length >= 4)
      }
      const r = yield* Fiber.join(fiber)
      expect(Exit.isSuccess(r.exit)).toBe(true)
      expect(s.calls.map(flowId).sort()).toEqual([1, 1, 2, 2])
      expect(r.stderr).toMatch(/retrying in \S+ s \(attempt 2\)/)
      const state = yield* Effect.promise(() => readState(s.dirs))
      expect(state.counters).toMatchObject({ selected: 2, sent: 2, rejected: 0 })
      expect(state.files[0]!.offset).toBe((yield* Effect.promise(() => readFile(s.eve))).length)
      // Acknowledged after the backoff: later than the start, on the clock.
      expect(state.lastSend!.at).toBeGreaterThan(NOW)
    })
  )

  it.effect("a 400 is counted as rejected and passed; the checkpoint moves past it", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const at = NOW - 60_000
      const s = yield* sensor([alertLine(1, at), alertLine(2, at)], (c) => ({ status: flowId(c) === 1 ? 400 : 201 }))
      const r = yield* s.run
      expect(Exit.isSuccess(r.exit)).toBe(true)
      const state = yield* Effect.promise(() => readState(s.dirs))
      expect(state.counters).toMatchObject({ selected: 2, sent: 1, rejected: 1 })
      expect(state.files[0]!.offset).toBe((yield* Effect.promise(() => readFile(s.eve))).length)
      expect(r.stderr).toContain("event rejected")
    })
  )

  it.effect("401: stops at the first answer, exit 3 naming the token's file, checkpoint unchanged", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const at = NOW - 60_000
      const s = yield* sensor([alertLine(1, at)], () => ({ status: 401 }))
      const r = yield* s.run
      expect(s.calls).toHaveLength(1)
      expect(Exit.isFailure(r.exit) && r.exit.cause._tag === "Fail" ? r.exit.cause.error : undefined).toMatchObject({
        _tag: "TokenRefused",
        message: expect.stringContaining("/etc/rule-updater.config")
      })
      const state = yield* Effect.promise(() => readState(s.dirs))
      expect(state.files).toEqual([])
      expect(state.counters.sent).toBe(0)
      expect(state.lastSend?.ok).toBe(false)
      expect(r.stderr).not.toContain("tok3n")
    })
  )

  it.effect("records older than --max-age on the clock are counted as expired, not sent", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const s = yield* sensor([alertLine(1, NOW - 2 * 86_400_000), alertLine(2, NOW - 60_000)], () => ({ status: 201 }))
      yield* s.run
      expect(s.calls.map(flowId)).toEqual([2])
      const state = yield* Effect.promise(() => readState(s.dirs))
      expect(state.counters).toMatchObject({ expired: 1, sent: 1 })
    })
  )
  it.effect("a run that gets nothing acknowledged counts nothing; the run that delivers counts each line once (issue 15 row 15)", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const at = NOW - 60_000
      let up = false
      const s = yield* sensor([alertLine(1, at), otherLine(1, at), alertLine(2, at)], () => ({ status: up ? 201 : 503 }))
      // Down for the whole retry budget: the backoff passes on the clock until the run gives up.
      const fiber = yield* Effect.fork(s.run)
      yield* settle(fiber, () => s.calls.length >= 2)
      for (let i = 0; i < 60 && Option.isNone(yield* Fiber.poll(fiber)); i++) {
        const n = s.calls.length
        yield* TestClock.adjust("4 seconds")
        yield* settle(fiber, () => s.calls.length > n)
      }
      const failed = yield* Fiber.join(fiber)
      expect(Exit.isFailure(failed.exit)).toBe(true)
      const before = yield* Effect.promise(() => readState(s.dirs))
      // The run read the lines (its own summary says so) but the state counts none of them.
      expect(before.lastSend).toMatchObject({ ok: false, message: expect.stringMatching(/0 sent, 0 rejected, 0 expired [^,]*, 2 selected of 3 lines/) })
      expect(before.counters).toMatchObject({ read: 0, selected: 0, sent: 0 })
      expect(before.hourly.reduce((n, b) => n + (b.seen ?? 0), 0)).toBe(0)
      // Back up: the next run reads the same lines again, and they are counted now, once.
      up = true
      const r = yield* s.run
      expect(Exit.isSuccess(r.exit)).toBe(true)
      const after = yield* Effect.promise(() => readState(s.dirs))
      expect(after.counters).toMatchObject({ read: 3, selected: 2, sent: 2, rejected: 0, expired: 0 })
      expect(after.hourly.reduce((n, b) => n + (b.seen ?? 0), 0)).toBe(2)
    })
  )
})
