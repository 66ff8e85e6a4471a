/** `send-heartbeat` on a fixture sensor tree, against a real loopback server. */
import { afterEach, describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, Random, TestClock } from "effect"
import * as TelemetryApi from "../../../src/adapters/TelemetryApi.js"
import * as SystemProbe from "../../../src/adapters/SystemProbe.js"
import { HEARTBEAT_KEYS } from "../../../src/domain/Heartbeat.js"
import { describeFailure } from "../../../src/main/Failure.js"
import { HeartbeatFailed, HeartbeatRefused } from "../../../src/main/programs/SendHeartbeat.js"
import { heartbeatProgram, type HeartbeatOptions, PRINT_NOTES_INTRO } from "../../../src/main/programs/SendHeartbeat.js"
import { type AgentEnv, agentEnv, captured, TOKEN } from "../../support/AgentEnv.js"
import { type SensorTree, sensorTree } from "../../support/SensorTree.js"
import { type Reply, type Sink, startSink } from "../../support/TelemetrySink.js"

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((f) => f()))
})

const setup = (reply?: (n: number) => Reply) =>
  Effect.promise(async () => {
    const [env, tree, sink] = await Promise.all([
      agentEnv(),
      sensorTree(),
      startSink(reply === undefined ? undefined : (_r, n) => reply(n))
    ])
    cleanups.push(env.cleanup, tree.cleanup, () => sink.close())
    return { env, tree, sink }
  })

const FAST_RETRY = { baseMs: 20, capMs: 100, budgetMs: 1500 }

const run = (s: { env: AgentEnv; tree: SensorTree; sink: Sink }, o: Partial<HeartbeatOptions> = {}) =>
  Effect.gen(function* () {
    const result = yield* Effect.either(
      heartbeatProgram({
        baseUrl: s.sink.url,
        insecure: false,
        timeoutMs: 2000,
        configPath: s.env.configPath,
        direct: true,
        print: false,
        retry: FAST_RETRY,
        ...o
      })
    )
    const out = yield* captured
    return { result, stdout: out.stdout.join(""), stderr: out.stderr.join("\n") }
  }).pipe(
    Effect.provide(TelemetryApi.layerFromCredentials({ baseUrl: s.sink.url, insecure: false, timeoutMs: 2000 })),
    Effect.provide(s.env.layer),
    Effect.provide(SystemProbe.layer(s.tree.paths))
  )

const posts = (sink: Sink) => sink.received.filter((r) => r.method === "POST" && r.path === "/api/v1/telemetry")

describe("send-heartbeat", () => {
  it.live("--direct: posts the heartbeat with exactly the SPEC keys and records the result", () =>
    Effect.gen(function* () {
      const s = yield* setup()
      const { result, stderr } = yield* run(s)
      expect(result._tag).toBe("Right")
      expect(posts(s.sink)).toHaveLength(1)
      const req = posts(s.sink)[0]!
      expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`)
      expect(req.headers["content-type"]).toMatch(/^application\/json/)
      const body = JSON.parse(req.body) as Record<string, unknown>
      expect(Object.keys(body).sort()).toEqual([...HEARTBEAT_KEYS].sort())
      expect(body).toMatchObject({ software_version: "24.7.5", suricata_status: "Running", mode: "IDS", total_enabled_rules: 4 })
      const state = yield* Effect.promise(() => s.env.readState())
      expect(state?.lastHeartbeat?.ok).toBe(true)
      expect(state?.lastHeartbeat?.message).toContain("/api/v1/telemetry")
      expect(stderr).toMatch(/^emergingthreats: send-heartbeat: heartbeat accepted by http:\/\/127\.0\.0\.1/)
      expect(stderr).not.toContain(TOKEN)
    })
  )

  it.live("--print: the JSON on stdout, nothing sent, no token needed, nothing recorded", () =>
    Effect.gen(function* () {
      const s = yield* setup()
      yield* Effect.promise(() => s.env.setToken(undefined))
      const { result, stdout } = yield* run(s, { print: true, direct: false })
      expect(result._tag).toBe("Right")
      expect(stdout.split("\n").filter((l) => l !== "")).toHaveLength(1)
      const body = JSON.parse(stdout) as Record<string, unknown>
      expect(Object.keys(body).sort()).toEqual([...HEARTBEAT_KEYS].sort())
      expect(body.ruleset_version).toBe("10432")
      expect(s.sink.received).toHaveLength(0)
      expect(yield* Effect.promise(() => s.env.readState())).toBeUndefined()
    })
  )

  it.live("--print on a sensor missing files and a program: the stock values on stdout, what and why on stderr", () =>
    Effect.gen(function* () {
      const s = yield* setup()
      yield* Effect.promise(async () => {
        await s.env.setToken(undefined)
        await s.tree.remove("/usr/local/etc/suricata/rules/telemetry_version.json")
        await s.tree.remove("/var/log/suricata/stats.log")
        await s.tree.remove("/usr/local/etc/suricata/suricata.yaml")
        await s.tree.remove("/usr/local/bin/suricata")
      })
      const { result, stdout, stderr } = yield* run(s, { print: true })
      expect(result._tag).toBe("Right")
      expect(JSON.parse(stdout)).toMatchObject({ ruleset_version: null, log_stats: {}, mode: "IDS", suricata_version: "NOTFOUND" })
      const lines = stderr.split("\n")
      expect(lines[0]).toBe(`emergingthreats: send-heartbeat: ${PRINT_NOTES_INTRO}`)
      expect(lines.slice(1).map((l) => l.replace(/ \(.*\)$/, ""))).toEqual([
        'emergingthreats: send-heartbeat: note: suricata_version: "NOTFOUND"',
        "emergingthreats: send-heartbeat: note: ruleset_version: null",
        'emergingthreats: send-heartbeat: note: mode: "IDS"',
        "emergingthreats: send-heartbeat: note: log_stats: {}"
      ])
      expect(lines[2]).toContain("telemetry_version.json not found")
      expect(s.sink.received).toHaveLength(0)
    })
  )

  it.effect("without --direct: waits the random spread delay on the Clock before sending", () =>
    Effect.gen(function* () {
      const s = yield* setup()
      const fiber = yield* run(s, { direct: false }).pipe(Effect.withRandom(Random.fixed([600_000])), Effect.fork)
      // Let the fiber reach its sleep (it reads the token first, on real I/O): bounded polling.
      for (let i = 0; i < 200 && Chunk.isEmpty(yield* TestClock.sleeps()); i++) {
        yield* Effect.promise(() => new Promise((r) => setTimeout(r, 10)))
      }
      // One sleep, waking at 600 s on the test clock (which starts at 0).
      expect(Chunk.toReadonlyArray(yield* TestClock.sleeps())).toEqual([600_000])
      yield* TestClock.adjust("599999 millis")
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 300)))
      expect(s.sink.received).toHaveLength(0)
      yield* TestClock.adjust("1 millis")
      const { result } = yield* Fiber.join(fiber)
      expect(result._tag).toBe("Right")
      expect(posts(s.sink)).toHaveLength(1)
      // The probes ran after the wait: system_time is the time of sending.
      const body = JSON.parse(posts(s.sink)[0]!.body) as { system_time: number }
      expect(body.system_time).toBe(600)
    })
  )

  it.live("5xx and a dropped connection are retried; the heartbeat gets through", () =>
    Effect.gen(function* () {
      const s = yield* setup((n) => (n === 0 ? { status: 503 } : n === 1 ? "reset" : { status: 201 }))
      const { result } = yield* run(s)
      expect(result._tag).toBe("Right")
      expect(posts(s.sink).length).toBeGreaterThanOrEqual(3)
    })
  )

  it.live("401: stops at once, exit code 3, says the token was refused, records the failure", () =>
    Effect.gen(function* () {
      const s = yield* setup(() => ({ status: 401, body: "unknown token" }))
      const { result } = yield* run(s)
      expect(result._tag).toBe("Left")
      const e = (result as { left: unknown }).left as HeartbeatRefused
      expect(e).toBeInstanceOf(HeartbeatRefused)
      expect(describeFailure(e).exitCode).toBe(3)
      expect(e.message).toMatch(/refused the token.*HTTP 401/)
      expect(e.message).not.toContain(TOKEN)
      expect(posts(s.sink)).toHaveLength(1)
      const state = yield* Effect.promise(() => s.env.readState())
      expect(state?.lastHeartbeat).toMatchObject({ ok: false })
      expect(state?.lastHeartbeat?.message).toMatch(/refused the token/)
    })
  )

  it.live("another 4xx: not retried, exit code 1", () =>
    Effect.gen(function* () {
      const s = yield* setup(() => ({ status: 400, body: "bad heartbeat" }))
      const { result } = yield* run(s)
      const e = (result as { left: HeartbeatFailed }).left
      expect(e).toBeInstanceOf(HeartbeatFailed)
      expect(describeFailure(e).exitCode).toBe(1)
      expect(e.message).toMatch(/not delivered: HTTP 400 .*bad heartbeat/)
      expect(posts(s.sink)).toHaveLength(1)
    })
  )

  it.live("a service that never answers: timeouts retried until the budget is spent, then exit code 1", () =>
    Effect.gen(function* () {
      const s = yield* setup(() => "hang")
      const started = Date.now()
      const { result } = yield* run(s, { timeoutMs: 200, retry: { baseMs: 20, capMs: 50, budgetMs: 700 } })
      expect(Date.now() - started).toBeLessThan(8000)
      const e = (result as { left: HeartbeatFailed }).left
      expect(e).toBeInstanceOf(HeartbeatFailed)
      expect(describeFailure(e).exitCode).toBe(1)
      expect(e.message).toMatch(/timeout|no answer/)
      expect(posts(s.sink).length).toBeGreaterThanOrEqual(2)
      const state = yield* Effect.promise(() => s.env.readState())
      expect(state?.lastHeartbeat?.ok).toBe(false)
    })
  )

  it.live("no token: a configuration error naming the file (exit 2 via TokenError), nothing sent", () =>
    Effect.gen(function* () {
      const s = yield* setup()
      yield* Effect.promise(() => s.env.setToken(undefined))
      const { result } = yield* run(s)
      const e = (result as { left: { _tag: string; message: string } }).left
      expect(e._tag).toBe("TokenError")
      expect(e.message).toContain(s.env.configPath)
      expect(s.sink.received).toHaveLength(0)
    })
  )
})
