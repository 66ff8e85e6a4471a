import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber } from "effect"
import { createServer, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import * as undici from "undici"
import { make } from "../../src/adapters/EventPoster.js"
import { excerpt, transportReason } from "../../src/adapters/TelemetryApi.js"
import { TransportError } from "../../src/domain/ApiError.js"

const TOKEN = "tok-abc.123"

/** A loopback server answering each request with `reply`; counts the connections it accepted. */
const serve = (reply: (res: ServerResponse) => void) =>
  Effect.acquireRelease(
    Effect.async<{ url: string; server: Server; connections: () => number }>((resume) => {
      let connections = 0
      const server = createServer((req, res) => {
        req.resume()
        req.on("end", () => reply(res))
      })
      server.on("connection", () => connections++)
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({ url: `http://127.0.0.1:${port}/api/v1/event`, server, connections: () => connections }))
      })
    }),
    ({ server }) => Effect.sync(() => server.closeAllConnections()).pipe(Effect.zipRight(Effect.async<void>((r) => void server.close(() => r(Effect.void)))))
  )

const poster = (url: string, timeoutMs = 5000) =>
  Effect.acquireRelease(
    Effect.sync(() =>
      make(undici, {
        url,
        token: TOKEN,
        insecure: false,
        timeoutMs,
        connections: 4,
        keepAliveMs: 30_000,
        transport: (u, cause) => new TransportError({ url: u, reason: transportReason(cause), message: `failed ${u}` }),
        excerpt
      })
    ),
    (p) => p.close
  )

const BIG = "x".repeat(200_000)

describe("EventPoster", () => {
  const framings: Array<[string, (res: ServerResponse) => void]> = [
    ["content-length", (res) => res.writeHead(201, { "content-length": String(BIG.length) }).end(BIG)],
    ["chunked", (res) => { res.writeHead(201); res.write(BIG.slice(0, 1000)); res.end(BIG.slice(1000)) }],
    ["no body", (res) => res.writeHead(201, { "content-length": "0" }).end()]
  ]
  for (const [name, reply] of framings) {
    it.live(`reads a ${name} success to its end and keeps the connection`, () =>
      Effect.scoped(Effect.gen(function* () {
        const s = yield* serve(reply)
        const p = yield* poster(s.url)
        yield* Effect.repeatN(p.post("{}"), 9)
        // Without reuse each request would open its own; the pool may open a second while the first settles.
        expect(s.connections()).toBeLessThanOrEqual(2)
      }))
    )
  }

  it.live("an answer whose body is delimited by closing the connection is a success", () =>
    Effect.scoped(Effect.gen(function* () {
      const s = yield* serve((res) => {
        res.shouldKeepAlive = false
        res.useChunkedEncodingByDefault = false
        res.writeHead(201, { connection: "close" })
        res.end("done")
      })
      const p = yield* poster(s.url)
      yield* Effect.repeatN(p.post("{}"), 2)
      expect(s.connections()).toBe(3)
    }))
  )

  it.live("headers in time but a body that never ends: the deadline covers the whole exchange", () =>
    Effect.scoped(Effect.gen(function* () {
      // The body trickles one byte per 50 ms: undici's idle-body timer never fires, the deadline does.
      const s = yield* serve((res) => {
        res.writeHead(201)
        const t = setInterval(() => res.write("."), 50)
        res.on("close", () => clearInterval(t))
      })
      const p = yield* poster(s.url, 300)
      const e = yield* Effect.flip(p.post("{}"))
      expect(e._tag === "TransportError" && e.reason).toBe("timeout")
    }))
  )

  it.live("an error status carries Retry-After and an excerpt without the token", () =>
    Effect.scoped(Effect.gen(function* () {
      const s = yield* serve((res) => res.writeHead(503, { "retry-after": "3" }).end(`busy ${TOKEN}\n${BIG}`))
      const p = yield* poster(s.url)
      const e = yield* Effect.flip(p.post("{}"))
      expect(e._tag).toBe("HttpStatusError")
      if (e._tag !== "HttpStatusError") return
      expect(e.status).toBe(503)
      expect(e.retryAfterMs).toBe(3000)
      expect(e.bodyExcerpt.startsWith("busy ")).toBe(true)
      expect(e.message).not.toContain(TOKEN)
    }))
  )

  it.live("interruption aborts the request in flight", () =>
    Effect.scoped(Effect.gen(function* () {
      let closed = false
      const s = yield* serve((res) => res.on("close", () => (closed = true)))
      const p = yield* poster(s.url)
      const f = yield* Effect.fork(p.post("{}"))
      yield* Effect.sleep(Duration.millis(100))
      yield* Fiber.interrupt(f)
      yield* Effect.sleep(Duration.millis(100))
      expect(closed).toBe(true)
    }))
  )
})
