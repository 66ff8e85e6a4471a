/**
 * send-heartbeat entirely on test layers under TestClock: the API answers from a pure function, the token
 * comes from Credentials' test layer, the probes are static; the spread delay and the retries' backoff pass
 * only when the test moves the clock (no real timers, no server).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Option, TestClock } from "effect"
import { mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Credentials from "../../../src/adapters/Credentials.js"
import * as Output from "../../../src/adapters/Output.js"
import * as StateStore from "../../../src/adapters/StateStore.js"
import * as SystemProbe from "../../../src/adapters/SystemProbe.js"
import { type ApiCall, layerTest } from "../../../src/adapters/TelemetryApiTest.js"
import type { SensorFacts } from "../../../src/domain/Heartbeat.js"
import { describeFailure } from "../../../src/main/Failure.js"
import { heartbeatProgram } from "../../../src/main/programs/SendHeartbeat.js"

const missing = { _tag: "NotFound", detail: "not in this test" } as const
const FACTS: SensorFacts = {
  softwareVersion: { _tag: "Found", value: "24.7" },
  suricataVersion: { _tag: "Found", value: "7.0.6" },
  suricataRunning: { _tag: "Found", value: true },
  rulesetVersion: missing,
  installedSids: { _tag: "Found", value: new Set([1, 2]) },
  telemetrySids: { _tag: "Found", value: new Set([2]) },
  ipsMode: { _tag: "Found", value: false },
  stats: missing
}

const OPTIONS = { baseUrl: "http://telemetry.test", insecure: false, timeoutMs: 5000, configPath: "/nowhere", print: false }
const RETRY = { baseMs: 1000, capMs: 4000, budgetMs: 60_000 }

const layers = (answer: (c: ApiCall, n: number) => { status: number }) =>
  Effect.promise(() => mkdtemp(join(tmpdir(), "hb-layers-"))).pipe(
    Effect.map((dir) => {
      let n = 0
      const calls: Array<ApiCall> = []
      const layer = Layer.mergeAll(
        layerTest((c) => (calls.push(c), answer(c, ++n))),
        Credentials.layerTest("tok3n"),
        Output.layerTest(),
        SystemProbe.layerStatic(FACTS),
        StateStore.layer(join(dir, "state.json"))
      )
      return { layer, calls }
    })
  )

describe("send-heartbeat on test layers", () => {
  it.effect("waits the spread delay on the clock, retries 503s with backoff, then records success", () =>
    Effect.gen(function* () {
      const { layer, calls } = yield* layers((_c, n) => ({ status: n <= 2 ? 503 : 201 }))
      const fiber = yield* Effect.fork(
        heartbeatProgram({ ...OPTIONS, direct: false, maxDelayMs: 10_000, retry: RETRY }).pipe(Effect.provide(layer))
      )
      // Nothing is sent before the clock moves: the spread delay and the backoff are waits on the Clock.
      yield* Effect.yieldNow()
      expect(yield* Fiber.poll(fiber)).toEqual(Option.none())
      expect(calls.length).toBeLessThan(3)
      // At most the spread (10 s) plus two backoff waits of at most the cap (4 s each).
      yield* TestClock.adjust("18 seconds")
      const result = yield* Fiber.join(fiber)
      expect(result.sent).toBe(true)
      expect(calls).toHaveLength(3)
      expect(calls.every((c) => c.call === "heartbeat")).toBe(true)
      expect((calls[2] as { body: Record<string, unknown> }).body).toMatchObject({ software_version: "24.7" })
    })
  )

  it.effect("a 401 stops at once: exit code 3, one call, no retry", () =>
    Effect.gen(function* () {
      const { layer, calls } = yield* layers(() => ({ status: 401 }))
      const e = yield* Effect.flip(heartbeatProgram({ ...OPTIONS, direct: true, retry: RETRY }).pipe(Effect.provide(layer)))
      expect(e).toMatchObject({ _tag: "TokenRefused" })
      expect(describeFailure(e).exitCode).toBe(3)
      expect(calls).toHaveLength(1)
    })
  )

  it.effect("a service that keeps failing: retried until the budget is spent on the clock, then exit code 1", () =>
    Effect.gen(function* () {
      const { layer, calls } = yield* layers(() => ({ status: 500 }))
      const fiber = yield* Effect.fork(Effect.flip(heartbeatProgram({ ...OPTIONS, direct: true, retry: RETRY }).pipe(Effect.provide(layer))))
      yield* TestClock.adjust("2 minutes")
      const e = yield* Fiber.join(fiber)
      expect(e).toMatchObject({ _tag: "HeartbeatFailed" })
      expect(describeFailure(e).exitCode).toBe(1)
      expect(calls.length).toBeGreaterThan(3)
    })
  )
})
