import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Exit } from "effect"
import { mkdtemp, readFile, stat } from "node:fs/promises"
import { execFileSync } from "node:child_process"
import { createServer as createHttpsServer } from "node:https"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach } from "vitest"
import { layer, TelemetryApi, transportReason } from "../../src/adapters/TelemetryApi.js"
import { type Sink, startSink } from "../support/TelemetrySink.js"

const TOKEN = "tok-abc.123"
let sinks: Array<Sink> = []
afterEach(async () => {
  await Promise.all(sinks.map((s) => s.close()))
  sinks = []
})
const sink = async (reply?: Sink["reply"]) => {
  const s = await startSink(reply)
  sinks.push(s)
  return s
}

const withApi = <A, E>(baseUrl: string, f: (api: TelemetryApi["Type"]) => Effect.Effect<A, E>, timeoutMs = 5000) =>
  Effect.flatMap(TelemetryApi, f).pipe(Effect.provide(layer({ baseUrl, token: TOKEN, insecure: false, timeoutMs })))

describe("TelemetryApi live layer", () => {
  it.live("posts an event with the bearer token and JSON content type, no trace headers", () =>
    Effect.gen(function* () {
      const s = yield* Effect.promise(() => sink())
      yield* withApi(s.url + "/", (api) => api.postEvent('{"event_type":"alert"}'))
      expect(s.received).toHaveLength(1)
      const r = s.received[0]!
      expect(r.method).toBe("POST")
      expect(r.path).toBe("/api/v1/event")
      expect(r.headers.authorization).toBe(`Bearer ${TOKEN}`)
      expect(r.headers["content-type"]).toMatch(/^application\/json/)
      expect(r.headers.traceparent).toBeUndefined()
      expect(r.headers.b3).toBeUndefined()
      expect(r.body).toBe('{"event_type":"alert"}')
    })
  )

  it.live("reuses one keep-alive connection for sequential requests", () =>
    Effect.gen(function* () {
      const s = yield* Effect.promise(() => sink())
      yield* withApi(s.url, (api) => Effect.repeatN(api.postEvent("{}"), 9))
      expect(s.received).toHaveLength(10)
      // Without keep-alive every request would open its own connection.
      expect(s.connections).toBeLessThanOrEqual(2)
    })
  )

  it.live("a 429 carries Retry-After and a one-line body excerpt without the token", () =>
    Effect.gen(function* () {
      const s = yield* Effect.promise(() =>
        sink(() => ({ status: 429, headers: { "retry-after": "7" }, body: `slow\ndown ${TOKEN}` }))
      )
      const e = yield* withApi(s.url, (api) => Effect.flip(api.postEvent("{}")))
      expect(e._tag).toBe("HttpStatusError")
      if (e._tag !== "HttpStatusError") return
      expect(e.status).toBe(429)
      expect(e.retryAfterMs).toBe(7000)
      expect(e.bodyExcerpt).toBe("slow down ***")
      expect(e.message).not.toContain(TOKEN)
      expect(e.message).toContain("/api/v1/event")
    })
  )

  it.live("connection refused and reset are told apart", () =>
    Effect.gen(function* () {
      const port = yield* Effect.promise(
        () =>
          new Promise<number>((resolve) => {
            const srv = createServer()
            srv.listen(0, "127.0.0.1", () => {
              const p = (srv.address() as { port: number }).port
              srv.close(() => resolve(p))
            })
          })
      )
      const refused = yield* withApi(`http://127.0.0.1:${port}`, (api) => Effect.flip(api.postEvent("{}")))
      expect(refused._tag === "TransportError" && refused.reason).toBe("refused")
      const s = yield* Effect.promise(() => sink(() => "reset"))
      const reset = yield* withApi(s.url, (api) => Effect.flip(api.postEvent("{}")))
      expect(reset._tag === "TransportError" && reset.reason).toBe("reset")
      expect(reset.message).not.toContain(TOKEN)
    })
  )

  it.live("a request with no answer times out", () =>
    Effect.gen(function* () {
      const s = yield* Effect.promise(() => sink(() => "hang"))
      const e = yield* withApi(s.url, (api) => Effect.flip(api.postEvent("{}")), 200)
      expect(e._tag === "TransportError" && e.reason).toBe("timeout")
    })
  )

  it.live("an unresolvable host is a dns failure", () =>
    Effect.gen(function* () {
      const e = yield* withApi("http://no-such-host.invalid", (api) => Effect.flip(api.postEvent("{}")))
      expect(e._tag === "TransportError" && e.reason).toBe("dns")
    })
  )

  it("classifies TLS and nested causes", () => {
    expect(transportReason({ code: "DEPTH_ZERO_SELF_SIGNED_CERT" })).toBe("tls")
    expect(transportReason({ message: "x", cause: { code: "ERR_TLS_CERT_ALTNAME_INVALID" } })).toBe("tls")
    expect(transportReason({ errors: [{ code: "ECONNREFUSED" }] })).toBe("refused")
    expect(transportReason({ code: "UND_ERR_CONNECT_TIMEOUT" })).toBe("timeout")
    expect(transportReason(new Error("boom"))).toBe("other")
  })

  it.live("sensor info, ruleset version and bad JSON", () =>
    Effect.gen(function* () {
      const s = yield* Effect.promise(() =>
        sink((r) =>
          r.path === "/api/v1/sensorinfo"
            ? { status: 200, body: '{"sensor_status":"ACTIVE","created":"2026-01-01T00:00:00Z"}' }
            : r.path === "/api/v1/ruleset/version"
              ? { status: 200, body: '{"version": 10521}' }
              : { status: 200, body: "<html>" }
        )
      )
      const info = yield* withApi(s.url, (api) => api.sensorInfo)
      expect(info.sensor_status).toBe("ACTIVE")
      expect(yield* withApi(s.url, (api) => api.rulesetVersion)).toBe("10521")
      expect(s.received.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true)
      s.reply = () => ({ status: 200, body: "<html>" })
      const bad = yield* withApi(s.url, (api) => Effect.flip(api.sensorInfo))
      expect(bad._tag).toBe("BadResponseError")
    })
  )

  it.live("heartbeat posts its JSON body to /api/v1/telemetry", () =>
    Effect.gen(function* () {
      const s = yield* Effect.promise(() => sink())
      yield* withApi(s.url, (api) => api.postHeartbeat({ mode: "IDS", system_time: 1 }))
      expect(s.received[0]!.path).toBe("/api/v1/telemetry")
      expect(JSON.parse(s.received[0]!.body)).toEqual({ mode: "IDS", system_time: 1 })
    })
  )

  it.live("downloads the ruleset to a file, refusing one over the byte limit", () =>
    Effect.gen(function* () {
      const dir = yield* Effect.promise(() => mkdtemp(join(tmpdir(), "api-")))
      const payload = Buffer.alloc(300_000, 7)
      const s = yield* Effect.promise(() => sink(() => ({ status: 200, body: payload, headers: { "content-type": "application/gzip" } })))
      const dest = join(dir, "rules.tar.gz")
      const n = yield* withApi(s.url, (api) => api.downloadRuleset(dest, 1_000_000))
      expect(n).toBe(payload.length)
      expect((yield* Effect.promise(() => readFile(dest))).equals(payload)).toBe(true)
      expect(s.received[0]!.path).toBe("/api/v1/ruleset/engine/suricata/5")
      const tooBig = yield* withApi(s.url, (api) => Effect.either(api.downloadRuleset(join(dir, "big.tar.gz"), 1000)))
      expect(Either.isLeft(tooBig) && tooBig.left._tag).toBe("BadResponseError")
      const gone = yield* Effect.exit(Effect.promise(() => stat(join(dir, "big.tar.gz"))))
      expect(Exit.isFailure(gone)).toBe(true)
    })
  )

  it.live("TLS: a self-signed certificate is refused as a tls failure, and accepted with insecure", () =>
    Effect.gen(function* () {
      const dir = yield* Effect.promise(() => mkdtemp(join(tmpdir(), "tls-")))
      // A throwaway self-signed certificate for 127.0.0.1.
      execFileSync("openssl", [
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
        "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")
      ], { stdio: "ignore" })
      const server = createHttpsServer(
        { key: yield* Effect.promise(() => readFile(join(dir, "key.pem"))), cert: yield* Effect.promise(() => readFile(join(dir, "cert.pem"))) },
        (req, res) => {
          req.resume()
          req.on("end", () => {
            res.writeHead(201)
            res.end()
          })
        }
      )
      yield* Effect.acquireRelease(
        Effect.promise(() => new Promise<void>((r) => server.listen(0, "127.0.0.1", r))),
        () => Effect.promise(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()) }))
      )
      const url = `https://127.0.0.1:${(server.address() as { port: number }).port}`
      const refused = yield* Effect.flip(
        Effect.flatMap(TelemetryApi, (api) => api.postEvent("{}")).pipe(Effect.provide(layer({ baseUrl: url, token: TOKEN, insecure: false, timeoutMs: 5000 })))
      )
      expect(refused._tag === "TransportError" && refused.reason).toBe("tls")
      expect(refused.message).toContain("--insecure")
      yield* Effect.flatMap(TelemetryApi, (api) => api.postEvent("{}")).pipe(Effect.provide(layer({ baseUrl: url, token: TOKEN, insecure: true, timeoutMs: 5000 })))
    }).pipe(Effect.scoped)
  )
})
