/** `sensor-info` against a real loopback server: one JSON line for every outcome, the cause named, never the token. */
import { afterEach, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { createServer } from "node:net"
import { TransportError } from "../../../src/domain/ApiError.js"
import { describeApiError, sensorInfoProgram } from "../../../src/main/programs/SensorInfo.js"
import { type AgentEnv, agentEnv, captured, TOKEN, withApi } from "../../support/AgentEnv.js"
import { type Reply, type Sink, startSink } from "../../support/TelemetrySink.js"

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((f) => f()))
})

const setup = (reply?: (n: number) => Reply, token?: string) =>
  Effect.promise(async () => {
    const env = await agentEnv(token)
    const sink = await startSink(reply === undefined ? undefined : (_r, n) => reply(n))
    cleanups.push(env.cleanup, () => sink.close())
    return { env, sink }
  })

const run = (env: AgentEnv, sink: Sink | { url: string }, timeoutMs = 2000) =>
  Effect.gen(function* () {
    const outcome = yield* sensorInfoProgram({ baseUrl: sink.url, insecure: false, timeoutMs, configPath: env.configPath })
    const out = yield* captured
    return { outcome, stdout: out.stdout.join(""), stderr: out.stderr.join("\n") }
  }).pipe(Effect.provide(withApi(env, sink.url, timeoutMs)))

const onlyLine = (stdout: string) => {
  expect(stdout.endsWith("\n")).toBe(true)
  expect(stdout.slice(0, -1)).not.toContain("\n")
  return JSON.parse(stdout) as Record<string, unknown>
}

const INFO = {
  sensor_status: "ACTIVE",
  last_heartbeat: "2026-11-27T09:30:00Z",
  last_rule_download: "2026-11-27T04:00:00Z",
  event_received: "2026-11-27T10:00:00Z",
  created: "2026-11-01T00:00:00Z",
  disable_date: "2026-12-02T10:00:00Z",
  status: "should be overwritten"
}

describe("sensor-info", () => {
  it.live("ok: the service fields with status ok, the Bearer token sent, the answer kept in the state", () =>
    Effect.gen(function* () {
      const { env, sink } = yield* setup(() => ({ status: 200, body: JSON.stringify(INFO) }))
      const { stdout, outcome } = yield* run(env, sink)
      const printed = onlyLine(stdout)
      const { status: _s, ...fields } = INFO
      expect(printed).toEqual({ status: "ok", ...fields })
      expect(Object.keys(printed)[0]).toBe("status")
      expect(outcome.failure).toBeUndefined()
      expect(sink.received).toHaveLength(1)
      expect(sink.received[0]!.method).toBe("GET")
      expect(sink.received[0]!.path).toBe("/api/v1/sensorinfo")
      expect(sink.received[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`)
      const state = yield* Effect.promise(() => env.readState())
      expect(state?.lastSensorInfo?.result).toEqual(printed)
      expect(state?.lastSensorInfoOk?.result).toEqual(printed)
      expect(state?.lastSensorInfo?.at).toBe(outcome.at)
    })
  )

  const failures: Array<[string, Reply, RegExp, string]> = [
    ["401 names the status and the body, never the token", { status: 401, body: `{"error":"unknown token ${TOKEN}"}` }, /^HTTP 401 from http:\/\/127\.0\.0\.1:\d+\/api\/v1\/sensorinfo: \{"error":"unknown token \*\*\*"\}$/, "refused"],
    ["404", { status: 404, body: "no such sensor" }, /^HTTP 404 .*: no such sensor$/, "http4xx"],
    ["503", { status: 503, body: "<html>maintenance</html>" }, /^HTTP 503 .*maintenance/, "http5xx"],
    ["500 with terminal escapes in its body", { status: 500, body: "\u001b[31mred\u0007" }, /^HTTP 500 .*: \?\[31mred\?$/, "http5xx"],
    ["200 with a body that is not JSON", { status: 200, body: "<html>login</html>" }, /^bad JSON: .*not JSON: <html>login<\/html>$/, "bad-response"],
    ["200 with JSON that is not an object", { status: 200, body: "[1,2]" }, /^bad JSON: .*not an object/, "bad-response"]
  ]
  for (const [name, reply, re, kind] of failures) {
    it.live(`failed: ${name}`, () =>
      Effect.gen(function* () {
        const { env, sink } = yield* setup(() => reply)
        const { stdout, outcome } = yield* run(env, sink)
        const printed = onlyLine(stdout)
        expect(Object.keys(printed)).toEqual(["status", "response"])
        expect(printed.status).toBe("failed")
        expect(printed.response).toMatch(re)
        expect(stdout).not.toContain(TOKEN)
        expect(outcome.failure).toBe(kind)
        const state = yield* Effect.promise(() => env.readState())
        expect(state?.lastSensorInfo?.result).toEqual(printed)
        expect(state?.lastSensorInfoOk).toBeUndefined()
      })
    )
  }

  it.live("failed: a service that never answers times out, and the command returns promptly", () =>
    Effect.gen(function* () {
      const { env, sink } = yield* setup(() => "hang")
      const started = Date.now()
      const { stdout } = yield* run(env, sink, 300)
      expect(Date.now() - started).toBeLessThan(5000)
      expect(onlyLine(stdout).response).toMatch(/^timeout: no answer in 300 ms from http:\/\/127\.0\.0\.1/)
    })
  )

  it.live("failed: connection refused", () =>
    Effect.gen(function* () {
      const { env } = yield* setup()
      const port = yield* Effect.promise(
        () =>
          new Promise<number>((resolve) => {
            const s = createServer()
            s.listen(0, "127.0.0.1", () => {
              const p = (s.address() as { port: number }).port
              s.close(() => resolve(p))
            })
          })
      )
      const { stdout } = yield* run(env, { url: `http://127.0.0.1:${port}` })
      expect(onlyLine(stdout).response).toMatch(/^connection refused by http:\/\/127\.0\.0\.1:\d+\/api\/v1\/sensorinfo/)
    })
  )

  it.live("failed: TLS, when https meets a server that does not speak it", () =>
    Effect.gen(function* () {
      const { env, sink } = yield* setup()
      const { stdout } = yield* run(env, { url: sink.url.replace("http:", "https:") })
      expect(onlyLine(stdout).response).toMatch(/^TLS failure .*https:\/\/127\.0\.0\.1/)
    })
  )

  it("every transport reason is named, DNS included", () => {
    const e = (reason: TransportError["reason"], message: string) =>
      describeApiError(new TransportError({ url: "https://x.test/api", reason, message })).reason
    expect(e("dns", "cannot resolve the host name of https://x.test/api (ENOTFOUND)")).toMatch(/^DNS: cannot resolve/)
    expect(e("timeout", "no answer in 5000 ms from https://x.test/api")).toMatch(/^timeout: /)
    expect(e("reset", "connection reset by https://x.test/api")).toBe("connection reset by https://x.test/api")
    expect(e("other", "request failed to https://x.test/api")).toMatch(/^network error: /)
  })

  it.live("unconfigured: no token file, no request", () =>
    Effect.gen(function* () {
      const { env, sink } = yield* setup(undefined, undefined)
      yield* Effect.promise(() => env.setToken(undefined))
      const { stdout } = yield* run(env, sink)
      expect(onlyLine(stdout)).toEqual({ status: "unconfigured" })
      expect(sink.received).toHaveLength(0)
      const state = yield* Effect.promise(() => env.readState())
      expect(state?.lastSensorInfo?.result).toEqual({ status: "unconfigured" })
    })
  )

  it.live("a token with stray spaces is trimmed, used, and warned about", () =>
    Effect.gen(function* () {
      const { env, sink } = yield* setup(() => ({ status: 200, body: "{}" }), `  ${TOKEN}  `)
      const { stdout, stderr } = yield* run(env, sink)
      expect(onlyLine(stdout)).toEqual({ status: "ok" })
      expect(sink.received[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`)
      expect(stderr).toMatch(/^emergingthreats: sensor-info: warning: .*whitespace/)
      expect(stderr).not.toContain(TOKEN)
    })
  )

  it.live("a state file that cannot be written: a warning, and still the one JSON line", () =>
    Effect.gen(function* () {
      const { env, sink } = yield* setup(() => ({ status: 200, body: JSON.stringify(INFO) }))
      // The state's directory is a file: nothing can be written under it.
      yield* Effect.promise(() => import("node:fs/promises").then((fs) => fs.writeFile(`${env.dir}/run`, "x")))
      const { stdout, stderr } = yield* run(env, sink)
      expect(onlyLine(stdout).status).toBe("ok")
      expect(stderr).toMatch(/emergingthreats: sensor-info: warning: .*state/)
    })
  )
})
