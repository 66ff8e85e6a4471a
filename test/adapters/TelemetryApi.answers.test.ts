/**
 * The one transport against a real loopback server: every reply read by the one classifier
 * (src/domain/Answer.ts), and a deadline that learns (issue 24 row 6): a service that answers 201 just after
 * the deadline gets a longer wait on the next attempt, not the same event again and again.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { layer, TelemetryApi } from "../../src/adapters/TelemetryApi.js"
import { MAX_DEADLINE_MS } from "../../src/adapters/HttpTransport.js"
import { ofError } from "../../src/domain/Answer.js"
import type { ApiError } from "../../src/domain/ApiError.js"

const TOKEN = "tok-answers.123"

const serve = (reply: (req: IncomingMessage, res: ServerResponse) => void) =>
  Effect.acquireRelease(
    Effect.async<{ url: string; requests: () => number; close: () => Promise<void> }>((resume) => {
      let requests = 0
      const server = createServer((req, res) => {
        requests++
        req.resume()
        req.on("end", () => reply(req, res))
      })
      server.listen(0, "127.0.0.1", () =>
        resume(Effect.succeed({
          url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
          requests: () => requests,
          close: () => new Promise<void>((r) => {
            server.closeAllConnections()
            server.close(() => r())
          })
        }))
      )
    }),
    (s) => Effect.promise(() => s.close())
  )

const withApi = <A>(url: string, timeoutMs: number, f: (api: TelemetryApi["Type"]) => Effect.Effect<A, never>) =>
  Effect.flatMap(TelemetryApi, f).pipe(Effect.provide(layer({ baseUrl: url, token: TOKEN, insecure: false, timeoutMs })))

const failure = <A>(e: Effect.Effect<A, ApiError>) => Effect.map(Effect.either(e), (r) => (Either.isLeft(r) ? r.left : undefined))

describe("TelemetryApi: one transport, one classifier", () => {
  it.scopedLive("a service answering 201 just after the deadline: the next attempt waits twice as long and is answered", () =>
    Effect.gen(function* () {
      const s = yield* serve((_req, res) => void setTimeout(() => res.writeHead(201, { "content-type": "application/json" }).end("{}"), 1300))
      // Deadline 1 s, answer at 1.3 s: the second attempt's 2 s deadline leaves room on a loaded machine.
      const r = yield* withApi(s.url, 1000, (api) =>
        Effect.gen(function* () {
          const first = yield* failure(api.postEvent("{}"))
          const learned = api.deadline?.current()
          const second = yield* failure(api.postEvent("{}"))
          api.deadline?.learn(10 * MAX_DEADLINE_MS)
          return { first, learned, second, capped: api.deadline?.current() }
        })
      )
      expect(r.first).toMatchObject({ _tag: "TransportError", reason: "timeout" })
      expect(r.learned).toBe(2000)
      expect(r.second).toBeUndefined()
      expect(r.capped).toBe(MAX_DEADLINE_MS)
      expect(s.requests()).toBe(2)
    })
  )

  it.scopedLive("an HTML page is not the API's answer, whatever its status: posts and GETs", () =>
    Effect.gen(function* () {
      const s = yield* serve((req, res) => {
        const status = req.url === "/api/v1/event" ? 201 : req.url === "/api/v1/telemetry" ? 403 : 200
        res.writeHead(status, { "content-type": "text/html" }).end("<html><body>Please log in to the hotel Wi-Fi</body></html>")
      })
      const errors = yield* withApi(s.url, 2000, (api) =>
        Effect.all([failure(api.postEvent("{}")), failure(api.postHeartbeat({})), failure(api.sensorInfo)])
      )
      for (const e of errors) {
        expect(e).toMatchObject({ _tag: "BadResponseError", message: expect.stringContaining("HTML page") })
        expect(ofError(e!)).toBe("not-api")
      }
    })
  )

  it.scopedLive("a redirect is not followed and not the API; a 200 that is not JSON where JSON is expected neither", () =>
    Effect.gen(function* () {
      const s = yield* serve((req, res) => {
        if (req.url === "/api/v1/event") return void res.writeHead(302, { location: "http://portal.example/login" }).end()
        res.writeHead(200, { "content-type": "text/plain" }).end("OK")
      })
      const [redirect, plain] = yield* withApi(s.url, 2000, (api) => Effect.all([failure(api.postEvent("{}")), failure(api.sensorInfo)]))
      expect(redirect).toMatchObject({ _tag: "BadResponseError", message: expect.stringMatching(/redirect \(HTTP 302 to http:\/\/portal\.example\/login\)/) })
      expect(ofError(redirect!)).toBe("not-api")
      expect(plain).toMatchObject({ _tag: "BadResponseError", message: expect.stringContaining("not JSON") })
      expect(s.requests()).toBe(2)
    })
  )

  it.scopedLive("a 503 with a 20 MB body: its excerpt is read, the rest never is; the status stays a service fault", () =>
    Effect.gen(function* () {
      let written = 0
      const s = yield* serve((_req, res) => {
        res.writeHead(503, { "content-type": "application/json", "retry-after": "7" })
        const chunk = Buffer.alloc(64 * 1024, 0x61)
        const pump = () => {
          while (written < 20 * 1024 * 1024 && !res.destroyed) {
            written += chunk.length
            if (!res.write(chunk)) return void res.once("drain", pump)
          }
          if (!res.destroyed) res.end()
        }
        pump()
      })
      const e = yield* withApi(s.url, 2000, (api) => failure(api.postEvent("{}")))
      expect(e).toMatchObject({ _tag: "HttpStatusError", status: 503, retryAfterMs: 7000 })
      expect(ofError(e!)).toBe("service-fault")
      expect((e as { bodyExcerpt: string }).bodyExcerpt.length).toBeLessThanOrEqual(201)
      expect(written).toBeLessThan(20 * 1024 * 1024)
    })
  )
})
