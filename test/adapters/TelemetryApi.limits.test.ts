/**
 * Issue 15 rows 1, 9, 10: every HttpClient request ends within its deadline whatever the service does with
 * the body, no answer is read past its size cap, and only the API's own success status counts.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { mkdtemp } from "node:fs/promises"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { layer, MAX_JSON_BYTES, TelemetryApi } from "../../src/adapters/TelemetryApi.js"
import type { ApiError } from "../../src/domain/ApiError.js"
import { classify } from "../../src/domain/Retry.js"

const TOKEN = "tok-limits.123"

interface Served {
  readonly url: string
  /** Body bytes the server managed to write, over all requests. */
  readonly written: () => number
  /** Connections the client closed. */
  readonly closed: () => number
}

/** A loopback server answering every request with `reply` (which may write as long as it likes). */
const serve = (reply: (req: IncomingMessage, res: ServerResponse, count: (n: number) => void) => void) =>
  Effect.acquireRelease(
    Effect.async<Served & { close: () => Promise<void> }>((resume) => {
      let written = 0
      let closed = 0
      const server = createServer((req, res) => {
        req.resume()
        req.on("end", () => reply(req, res, (n) => (written += n)))
      })
      server.on("connection", (s) => s.on("close", () => closed++))
      server.listen(0, "127.0.0.1", () =>
        resume(
          Effect.succeed({
            url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
            written: () => written,
            closed: () => closed,
            close: () =>
              new Promise<void>((r) => {
                server.closeAllConnections()
                server.close(() => r())
              })
          })
        )
      )
    }),
    (s) => Effect.promise(() => s.close())
  )

/** Headers at once, then one body byte every 2 s, for ever (until the client hangs up). */
const trickle = (req: IncomingMessage, res: ServerResponse, count: (n: number) => void) => {
  res.writeHead(req.method === "POST" ? 201 : 200, { "content-type": "application/json" })
  res.write("{")
  const timer = setInterval(() => {
    res.write(" ")
    count(1)
  }, 2000)
  res.on("close", () => clearInterval(timer))
}

/** A 300 MB answer, written as fast as the client takes it. */
const huge = (status: number) => (_req: IncomingMessage, res: ServerResponse, count: (n: number) => void) => {
  const total = 300 * 1024 * 1024
  const chunk = Buffer.alloc(64 * 1024, 0x20)
  res.writeHead(status, { "content-type": "application/json", "content-length": String(total) })
  res.write("{")
  let sent = 1
  const pump = () => {
    while (sent < total && !res.destroyed) {
      sent += chunk.length
      count(chunk.length)
      if (!res.write(chunk)) return void res.once("drain", pump)
    }
    if (!res.destroyed) res.end()
  }
  res.on("close", () => (sent = total))
  pump()
}

const api = (baseUrl: string, timeoutMs: number) =>
  layer({ baseUrl, token: TOKEN, insecure: false, timeoutMs, downloadTimeoutMs: timeoutMs })

describe("TelemetryApi: bounded waits and sizes", () => {
  it.scopedLive("a 2xx whose body trickles one byte every 2 s ends at the deadline, naming the URL (every call)", () =>
    Effect.gen(function* () {
      const s = yield* serve(trickle)
      const dir = yield* Effect.promise(() => mkdtemp(join(tmpdir(), "trickle-")))
      const started = Date.now()
      const results = yield* Effect.flatMap(TelemetryApi, (a) =>
        Effect.all(
          [
            Effect.flip(a.sensorInfo),
            Effect.flip(a.rulesetVersion),
            Effect.flip(a.postHeartbeat({ mode: "IDS" })),
            Effect.flip(a.downloadRuleset(join(dir, "r.tar.gz"), 1_000_000))
          ],
          { concurrency: "unbounded" }
        )
      ).pipe(Effect.provide(api(s.url, 3000)))
      const elapsed = Date.now() - started
      // Each byte comes well within undici's idle timer (3 s): only the deadline over the whole ends them.
      expect(elapsed).toBeLessThan(8000)
      const paths = ["/api/v1/sensorinfo", "/api/v1/ruleset/version", "/api/v1/telemetry", "/api/v1/ruleset/engine/suricata/5"]
      results.forEach((e: ApiError, i) => {
        expect(e._tag).toBe("TransportError")
        expect(e._tag === "TransportError" && e.reason).toBe("timeout")
        expect(e.message).toContain(`${s.url}${paths[i]}`)
        expect(e.message).toMatch(/no answer in 3000 ms/)
        expect(classify(e)).toBe("retry")
      })
      yield* Effect.sleep(200)
      expect(s.closed()).toBeGreaterThanOrEqual(4)
    })
  , 20_000)

  it.scopedLive("a 300 MB answer is cut at the 1 MiB cap as it streams: sensorinfo, version, heartbeat", () =>
    Effect.gen(function* () {
      for (const [status, call] of [
        [200, (a: TelemetryApi["Type"]) => Effect.asVoid(a.sensorInfo)],
        [200, (a: TelemetryApi["Type"]) => Effect.asVoid(a.rulesetVersion)],
        [201, (a: TelemetryApi["Type"]) => a.postHeartbeat({ mode: "IDS" })]
      ] as const) {
        const s = yield* serve(huge(status))
        const r = yield* Effect.either(Effect.flatMap(TelemetryApi, call).pipe(Effect.provide(api(s.url, 5000))))
        expect(Either.isLeft(r)).toBe(true)
        if (Either.isRight(r)) continue
        expect(r.left._tag).toBe("BadResponseError")
        expect(r.left.message).toContain(`more than ${MAX_JSON_BYTES} bytes`)
        // Stopped as the bytes came: a few socket buffers beyond the cap were written, not 300 MB.
        yield* Effect.sleep(100)
        expect(s.written()).toBeLessThan(64 * 1024 * 1024)
      }
    })
  , 30_000)

  it.scopedLive("an error answer's endless body is not read past its excerpt", () =>
    Effect.gen(function* () {
      const s = yield* serve(huge(503))
      const started = Date.now()
      const e = yield* Effect.flip(Effect.flatMap(TelemetryApi, (a) => a.sensorInfo).pipe(Effect.provide(api(s.url, 5000))))
      expect(Date.now() - started).toBeLessThan(4000)
      expect(e._tag === "HttpStatusError" && e.status).toBe(503)
      expect(s.written()).toBeLessThan(64 * 1024 * 1024)
    })
  , 20_000)

  it.scopedLive("the heartbeat succeeds only on 201: a 200 (captive portal), a redirect and a 201 HTML page are service faults", () =>
    Effect.gen(function* () {
      const answers: Array<[number, Record<string, string>, string]> = [
        [200, { "content-type": "text/html" }, "<html>Welcome to the hotel wifi</html>"],
        [200, { "content-type": "application/json" }, "{}"],
        [204, {}, ""],
        [302, { location: "http://portal.example/" }, ""],
        [201, { "content-type": "text/html; charset=utf-8" }, "<html>login</html>"]
      ]
      for (const [status, headers, body] of answers) {
        const s = yield* serve((_q, res) => res.writeHead(status, headers).end(body))
        const e = yield* Effect.flip(Effect.flatMap(TelemetryApi, (a) => a.postHeartbeat({})).pipe(Effect.provide(api(s.url, 5000))))
        expect(classify(e), `${status} ${JSON.stringify(headers)}`).toBe("retry")
        expect(e.message).toContain("/api/v1/telemetry")
      }
      const ok = yield* serve((_q, res) => res.writeHead(201, { "content-type": "application/json" }).end("{}"))
      yield* Effect.flatMap(TelemetryApi, (a) => a.postHeartbeat({})).pipe(Effect.provide(api(ok.url, 5000)))
    })
  , 20_000)
})
