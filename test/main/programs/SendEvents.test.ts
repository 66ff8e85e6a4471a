import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Layer, Scope, TestClock } from "effect"
import { appendFile, copyFile, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { afterEach } from "vitest"
import * as EveLog from "../../../src/adapters/EveLog.js"
import * as Output from "../../../src/adapters/Output.js"
import * as StateStore from "../../../src/adapters/StateStore.js"
import { localNetworks, parseCidr } from "../../../src/domain/Network.js"
import { dump } from "../../../src/main/programs/Dump.js"
import { type Sink, startSink } from "../../support/TelemetrySink.js"
import {
  alertLine, appendAlerts, FAST, idsOf, layers, makeDirs, otherLine, range, readState, runOk, runSend, sendOptions, TOKEN
} from "../../support/SendHarness.js"
import { sendEvents } from "../../../src/main/programs/SendEvents.js"

let sinks: Array<Sink> = []
afterEach(async () => {
  await Promise.all(sinks.map((s) => s.close()))
  sinks = []
})
const setup = () =>
  Effect.promise(async () => {
    const sink = await startSink()
    sinks.push(sink)
    const dirs = await makeDirs()
    return { sink, dirs, eve: join(dirs.log, "eve.json") }
  })
const sorted = (xs: Array<number>) => [...xs].sort((a, b) => a - b)
const failureOf = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isFailure(exit) && exit.cause._tag === "Fail" ? (exit.cause.error as { _tag: string; message: string }) : undefined

describe("send-events delivery", () => {
  it.live("sends every alert once, with the token, skips other records, then has nothing new", () =>
    Effect.gen(function* () {
      const { sink, dirs, eve } = yield* setup()
      yield* Effect.promise(() => writeFile(eve, [alertLine(1), otherLine(1), alertLine(2), alertLine(3), otherLine(2)].join("")))
      const first = yield* runOk(dirs, { baseUrl: sink.url })
      expect(first.summary.outcome).toBe("delivered")
      expect(sorted(idsOf(sink.accepted))).toEqual([1, 2, 3])
      expect(sink.received.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true)
      // Sanitised: the local destination is masked, dropped fields are gone.
      const body = JSON.parse(sink.accepted[0]!) as Record<string, unknown>
      expect(body.dest_ip).toBe("xxx.xxx.xxx.20")
      expect(JSON.stringify(body)).not.toContain("signature\"")
      const state = yield* Effect.promise(() => readState(dirs))
      const size = (yield* Effect.promise(() => readFile(eve))).length
      expect(state.files).toHaveLength(1)
      expect(state.files[0]!.offset).toBe(size)
      expect(state.counters).toMatchObject({ read: 5, selected: 3, sent: 3, rejected: 0 })
      expect(state.lastSend?.ok).toBe(true)
      expect(state.hourly.reduce((n, b) => n + b.sent, 0)).toBe(3)
      const again = yield* runOk(dirs, { baseUrl: sink.url })
      expect(again.summary.outcome).toBe("nothing-new")
      expect(sink.received).toHaveLength(3)
      // Then only what was appended.
      yield* Effect.promise(() => appendAlerts(eve, [4, 5]))
      yield* runOk(dirs, { baseUrl: sink.url })
      expect(sorted(idsOf(sink.accepted))).toEqual([1, 2, 3, 4, 5])
      expect((yield* Effect.promise(() => readState(dirs))).counters.sent).toBe(5)
    })
  )

  it.live("POSTs exactly the bodies dump --parsed prints, on the sample log", () =>
    Effect.gen(function* () {
      const { sink, dirs, eve } = yield* setup()
      yield* Effect.promise(() => copyFile(join(__dirname, "..", "..", "..", "fixtures", "sample", "eve.json"), eve))
      const privacy = { local: localNetworks([parseCidr("198.51.100.0/24")!, parseCidr("2001:db8::/32")!], []), sids: new Set<number>(), warnings: [] }
      const printed = yield* Effect.gen(function* () {
        yield* dump({ log: dirs.log, since: "all", parsed: true, explain: false, privacy })
        return (yield* Output.CapturedOutput).stdout.join("").split("\n").filter(Boolean)
      }).pipe(Effect.provide(Layer.merge(EveLog.layer, Output.layerTest())))
      expect(printed.length).toBeGreaterThan(50)
      const r = yield* Effect.exit(
        Effect.scoped(sendEvents({ ...sendOptions(dirs, { baseUrl: sink.url, maxAgeMs: undefined }), privacy: Effect.succeed(privacy) })).pipe(
          Effect.provide(layers(dirs, { baseUrl: sink.url }))
        )
      )
      expect(Exit.isSuccess(r)).toBe(true)
      expect([...sink.accepted].sort()).toEqual([...printed].sort())
    })
  )

  it.live("sends exactly what dump --parsed prints: expired alerts are counted, not sent", () =>
    Effect.gen(function* () {
      const { sink, dirs, eve } = yield* setup()
      const old = Date.now() - 3 * 86_400_000
      yield* Effect.promise(() => writeFile(eve, alertLine(1, old) + alertLine(2) + "not json \"alert\"\n" + alertLine(3, old)))
      yield* runOk(dirs, { baseUrl: sink.url })
      expect(idsOf(sink.accepted)).toEqual([2])
      const s = yield* Effect.promise(() => readState(dirs))
      expect(s.counters).toMatchObject({ expired: 2, skippedBadLine: 1, sent: 1 })
      // --max-age off sends old ones of a new file.
      const { dirs: d2, sink: s2 } = yield* setup()
      yield* Effect.promise(() => writeFile(join(d2.log, "eve.json"), alertLine(1, old)))
      yield* runOk(d2, { baseUrl: s2.url, maxAgeMs: undefined })
      expect(idsOf(s2.accepted)).toEqual([1])
    })
  )

  it.live("retries 503, 429 with Retry-After, connection resets and timeouts, and loses nothing", () =>
    Effect.gen(function* () {
      const { sink, dirs, eve } = yield* setup()
      yield* Effect.promise(() => appendAlerts(eve, range(1, 40)))
      const at: Array<number> = []
      sink.reply = (_r, n) => {
        at.push(Date.now())
        if (n === 0) return { status: 429, headers: { "retry-after": "1" } }
        if (n % 7 === 1) return { status: 503 }
        if (n % 7 === 3) return "reset"
        if (n % 11 === 5) return "hang"
        if (n % 13 === 2) return { status: 408 }
        return { status: 201 }
      }
      const r = yield* runOk(dirs, { baseUrl: sink.url, timeoutMs: 150 })
      expect(r.summary.counters.sent).toBe(40)
      expect(sorted([...new Set(idsOf(sink.accepted))])).toEqual(range(1, 40))
      // Nothing was sent before the 429's Retry-After had passed, for the event that got it.
      const first = JSON.parse(sink.received[0]!.body) as { flow_id: number }
      const retriedAt = sink.received.findIndex((x, i) => i > 0 && x.body.includes(`"flow_id":${first.flow_id},`))
      expect(at[retriedAt]! - at[0]!).toBeGreaterThanOrEqual(950)
      expect((yield* Effect.promise(() => readState(dirs))).files[0]!.offset).toBe((yield* Effect.promise(() => readFile(eve))).length)
    }),
    20_000
  )

  it.live("401: stops at once, exit 3 message says whether the token had whitespace, checkpoint unchanged", () =>
    Effect.gen(function* () {
      const { sink, dirs, eve } = yield* setup()
      yield* Effect.promise(() => appendAlerts(eve, [1, 2]))
      yield* runOk(dirs, { baseUrl: sink.url })
      const before = yield* Effect.promise(() => readState(dirs))
      yield* Effect.promise(() => appendAlerts(eve, range(3, 30)))
      sink.reply = () => ({ status: 401, body: "bad token" })
      for (const trimmed of [false, true]) {
        const n = sink.received.length
        const r = yield* runSend(dirs, { baseUrl: sink.url, trimmed })
        const e = failureOf(r.exit)
        expect(e?._tag).toBe("TokenRefused")
        expect(e?.message).toContain("refused the token")
        expect(e?.message).toMatch(trimmed ? /had leading\/trailing whitespace/ : /no leading or trailing whitespace/)
        expect(e?.message).not.toContain(TOKEN)
        // At once: no more than the requests already in flight.
        expect(sink.received.length - n).toBeLessThanOrEqual(4)
        const after = yield* Effect.promise(() => readState(dirs))
        expect(after.files).toEqual(before.files)
        // The lines will be read again: not counted twice.
        expect(after.counters).toEqual(before.counters)
        expect(after.lastSend?.ok).toBe(false)
      }
      sink.reply = () => ({ status: 201 })
      yield* runOk(dirs, { baseUrl: sink.url })
      expect(sorted([...new Set(idsOf(sink.accepted))])).toEqual(range(1, 32))
    })
  )

  it.live("a 400 for one event: rejected, counted, logged; delivery goes on", () =>
    Effect.gen(function* () {
      const { sink, dirs, eve } = yield* setup()
      yield* Effect.promise(() => appendAlerts(eve, range(1, 20)))
      sink.reply = (r) => (r.body.includes('"flow_id":7,') ? { status: 400, body: "bad event" } : { status: 201 })
      const r = yield* runOk(dirs, { baseUrl: sink.url })
      expect(r.summary.counters).toMatchObject({ sent: 19, rejected: 1 })
      expect(r.stderr).toMatch(/rejected.*HTTP 400.*bad event/)
      expect(sorted(idsOf(sink.accepted))).toEqual(range(1, 20).filter((i) => i !== 7))
      const s = yield* Effect.promise(() => readState(dirs))
      expect(s.counters.rejected).toBe(1)
      expect(s.files[0]!.offset).toBe((yield* Effect.promise(() => readFile(eve))).length)
      expect((yield* runOk(dirs, { baseUrl: sink.url })).summary.outcome).toBe("nothing-new")
    })
  )

  it.live("when the retry budget runs out: exit 1, checkpoint not past the undelivered, the next run sends the rest", () =>
    Effect.gen(function* () {
      const { sink, dirs, eve } = yield* setup()
      yield* Effect.promise(() => appendAlerts(eve, range(1, 30)))
      sink.reply = (_r, n) => (n < 10 ? { status: 201 } : { status: 503 })
      const r = yield* runSend(dirs, { baseUrl: sink.url, policy: { ...FAST, budgetMs: 300 } })
      const e = failureOf(r.exit)
      expect(e?._tag).toBe("DeliveryFailed")
      expect(e?.message).toContain("503")
      // The real time in trouble (at most the 300 ms budget), and each wait said on stderr.
      expect(e?.message).toMatch(/stopped after 0(\.\d)? s of retries/)
      expect(r.stderr).toMatch(/send-events: retrying in [0-9.]+ s \(attempt 2\), giving up in 0\.\d s/)
      const s = yield* Effect.promise(() => readState(dirs))
      const text = yield* Effect.promise(() => readFile(eve, "utf8"))
      // The checkpoint lies on a line boundary, and every alert before it was accepted.
      const before = text.slice(0, s.files[0]!.offset).split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { flow_id: number }).flow_id)
      const accepted = new Set(idsOf(sink.accepted))
      expect(before.every((id) => accepted.has(id))).toBe(true)
      expect(s.files[0]!.offset).toBeLessThan(text.length)
      sink.reply = () => ({ status: 201 })
      yield* runOk(dirs, { baseUrl: sink.url })
      expect(sorted([...new Set(idsOf(sink.accepted))])).toEqual(range(1, 30))
    })
  )

  it.live("a second concurrent run finds the lock and does nothing", () =>
    Effect.gen(function* () {
      const { sink, dirs, eve } = yield* setup()
      yield* Effect.promise(() => appendAlerts(eve, [1]))
      const store = yield* StateStore.make(dirs.state)
      const scope = yield* Scope.make()
      expect(yield* Scope.extend(store.runLock("send-events"), scope)).toBe(true)
      const r = yield* runOk(dirs, { baseUrl: sink.url })
      expect(r.summary.outcome).toBe("locked")
      expect(r.stderr).toContain("another send-events run is in progress")
      expect(sink.received).toHaveLength(0)
      yield* Scope.close(scope, Exit.void)
      yield* runOk(dirs, { baseUrl: sink.url })
      expect(idsOf(sink.accepted)).toEqual([1])
    })
  )

  it.effect("waits the random spread delay on the Clock before the first POST, unless --direct", () =>
    Effect.gen(function* () {
      const { sink, dirs, eve } = yield* setup()
      // TestClock starts at 0: these alerts are from 1970, so no age limit.
      yield* Effect.promise(() => appendFile(eve, alertLine(1, 0) + alertLine(2, 0)))
      const fiber = yield* Effect.fork(runOk(dirs, { baseUrl: sink.url, direct: false, maxAgeMs: undefined }))
      // Wait (in real time) until the run is asleep on the spread delay.
      let sleeping = false
      for (let i = 0; i < 500 && !sleeping; i++) {
        yield* Effect.promise(() => new Promise((r) => setTimeout(r, 10)))
        sleeping = Chunk.toReadonlyArray(yield* TestClock.sleeps()).some((t) => t > 1000)
      }
      expect(sleeping).toBe(true)
      expect(sink.received).toHaveLength(0)
      yield* TestClock.adjust("60 seconds")
      yield* fiber.await
      expect(sorted(idsOf(sink.accepted))).toEqual([1, 2])
    })
  )
})
