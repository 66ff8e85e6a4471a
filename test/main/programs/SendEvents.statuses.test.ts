/**
 * Issue 15 rows 10 and 11, on loopback servers: 201 means delivered (a captive portal's 200 + HTML is a
 * service fault, nothing counted sent, the checkpoint unmoved, the heartbeat not "accepted"), and a wrong
 * `--base-url` (every answer 404/405) stops the run as a configuration error with the checkpoint kept.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import { join } from "node:path"
import { afterEach } from "vitest"
import * as Credentials from "../../../src/adapters/Credentials.js"
import * as Output from "../../../src/adapters/Output.js"
import * as StateStore from "../../../src/adapters/StateStore.js"
import * as SystemProbe from "../../../src/adapters/SystemProbe.js"
import * as TelemetryApi from "../../../src/adapters/TelemetryApi.js"
import type { SensorFacts } from "../../../src/domain/Heartbeat.js"
import { describeFailure } from "../../../src/main/Failure.js"
import { heartbeatProgram } from "../../../src/main/programs/SendHeartbeat.js"
import { type Sink, startSink } from "../../support/TelemetrySink.js"
import { appendAlerts, FAST, idsOf, makeDirs, range, readState, runOk, runSend, TOKEN } from "../../support/SendHarness.js"

let sinks: Array<Sink> = []
afterEach(async () => {
  await Promise.all(sinks.map((s) => s.close()))
  sinks = []
})
const setup = (reply: Sink["reply"]) =>
  Effect.promise(async () => {
    const sink = await startSink(reply)
    sinks.push(sink)
    const dirs = await makeDirs()
    return { sink, dirs, eve: join(dirs.log, "eve.json") }
  })

const portal: Sink["reply"] = () => ({
  status: 200,
  headers: { "content-type": "text/html; charset=utf-8" },
  body: "<html><body>Welcome! Accept the terms to continue.</body></html>"
})

const FACTS: SensorFacts = {
  softwareVersion: { _tag: "Found", value: "24.7" },
  suricataVersion: { _tag: "Found", value: "7.0.6" },
  suricataRunning: { _tag: "Found", value: true },
  rulesetVersion: { _tag: "NotFound", detail: "test" },
  installedSids: { _tag: "Found", value: new Set([1]) },
  telemetrySids: { _tag: "Found", value: new Set([1]) },
  ipsMode: { _tag: "Found", value: false },
  stats: { _tag: "NotFound", detail: "test" }
}

describe("send-events and send-heartbeat: 201 means delivered", () => {
  it.live("a captive portal answering 200 + HTML to everything: nothing counted sent, checkpoint unmoved, exit 1", () =>
    Effect.gen(function* () {
      const { sink, dirs, eve } = yield* setup(portal)
      yield* Effect.promise(() => appendAlerts(eve, range(1, 20)))
      const r = yield* runSend(dirs, { baseUrl: sink.url, policy: { ...FAST, budgetMs: 500 } })
      expect(Exit.isFailure(r.exit)).toBe(true)
      const e = Exit.isFailure(r.exit) && r.exit.cause._tag === "Fail" ? r.exit.cause.error : undefined
      expect(e?._tag).toBe("DeliveryFailed")
      expect(describeFailure(e).exitCode).toBe(1)
      expect(e?.message).toContain("HTTP 200")
      // Retried (said on stderr), never counted.
      expect(r.stderr).toMatch(/retrying in/)
      const s = yield* Effect.promise(() => readState(dirs))
      expect(s.counters.sent).toBe(0)
      expect(s.files.every((f) => f.offset === 0)).toBe(true)
      expect(s.lastSend?.ok).toBe(false)
      // The real service comes back: all 20 arrive.
      sink.reply = () => ({ status: 201, body: "{}" })
      yield* runOk(dirs, { baseUrl: sink.url })
      const delivered = sink.received.filter((x) => x.path === "/api/v1/event").slice(-20)
      expect([...new Set(idsOf(delivered.map((x) => x.body)))].sort((a, b) => a - b)).toEqual(range(1, 20))
      expect((yield* Effect.promise(() => readState(dirs))).counters.sent).toBe(20)
    }),
    20_000
  )

  it.live("the heartbeat to a captive portal is not 'accepted': exit 1, recorded as failed", () =>
    Effect.gen(function* () {
      const { sink, dirs } = yield* setup(portal)
      const layer = Layer.mergeAll(
        TelemetryApi.layer({ baseUrl: sink.url, token: TOKEN, insecure: false, timeoutMs: 2000 }),
        Credentials.layerTest(TOKEN),
        Output.layerTest(),
        SystemProbe.layerStatic(FACTS),
        StateStore.layer(dirs.state)
      )
      const exit = yield* Effect.exit(
        heartbeatProgram({
          baseUrl: sink.url, insecure: false, timeoutMs: 2000, configPath: "/nowhere", direct: true, print: false,
          retry: { ...FAST, budgetMs: 300 }
        }).pipe(Effect.provide(layer))
      )
      expect(Exit.isFailure(exit)).toBe(true)
      const e = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
      expect(describeFailure(e).exitCode).toBe(1)
      expect(describeFailure(e).message).toMatch(/heartbeat not delivered: .*HTTP 200/)
      const s = yield* Effect.promise(() => readState(dirs))
      expect(s.lastHeartbeat?.ok).toBe(false)
      expect(s.lastHeartbeat?.message).not.toContain("accepted")
    }),
    20_000
  )

  for (const status of [404, 405]) {
    it.live(`every answer ${status} (a wrong --base-url path): configuration error, exit 2, checkpoint kept`, () =>
      Effect.gen(function* () {
        const { sink, dirs, eve } = yield* setup(() => ({ status, body: "Not Found" }))
        yield* Effect.promise(() => appendAlerts(eve, range(1, 200)))
        const r = yield* runSend(dirs, { baseUrl: `${sink.url}/wrong/path` })
        const e = Exit.isFailure(r.exit) && r.exit.cause._tag === "Fail" ? r.exit.cause.error : undefined
        const { message, exitCode } = describeFailure(e)
        expect(exitCode).toBe(2)
        expect(message).toContain(`${sink.url}/wrong/path/api/v1/event`)
        expect(message).toContain("--base-url")
        expect(message).not.toContain("\n")
        // Stopped at once: no more than the requests already in flight, none retried.
        expect(sink.received.length).toBeLessThanOrEqual(4)
        const s = yield* Effect.promise(() => readState(dirs))
        expect(s.files.every((f) => f.offset === 0)).toBe(true)
        expect(s.counters).toMatchObject({ sent: 0, rejected: 0 })
        // Fixed: everything is delivered.
        sink.reply = () => ({ status: 201, body: "{}" })
        yield* runOk(dirs, { baseUrl: sink.url })
        expect((yield* Effect.promise(() => readState(dirs))).counters).toMatchObject({ sent: 200, rejected: 0 })
      }),
      20_000
    )
  }
})
