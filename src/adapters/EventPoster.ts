/**
 * `POST /api/v1/event` on undici's own Pool, for TelemetryApi's live `postEvent` (./TelemetryApi.ts).
 * Events are the one request sent thousands of times a run: @effect/platform's HttpClient costs ~100 µs CPU
 * per request more than undici (a fiber, a Deferred, response wrapping, body streaming; BENCHMARKS.md
 * "Issue 14"), so each event is one `Effect.async` around one undici request. Heartbeat, rules and sensor
 * info stay on the HttpClient. The answer is classified as the HttpClient's is: 201 is success (not an HTML
 * page, which a captive portal sends), any other status an HttpStatusError (Retry-After, an excerpt with the token redacted), no answer a TransportError.
 */
import type { Dispatcher, Pool } from "undici"
import { Clock, Effect } from "effect"
import { type ApiError, BadResponseError, HttpStatusError, TransportError } from "../domain/ApiError.js"
import { parseRetryAfter } from "../domain/Retry.js"

export interface EventPosterConfig {
  /** The full URL of the event endpoint, for requests and messages. */
  readonly url: string
  readonly token: string
  readonly insecure: boolean
  /** Bounds each request as a whole: connection, headers and body. */
  readonly timeoutMs: number
  /** Concurrent connections kept alive (send-events keeps 4 requests in flight). */
  readonly connections: number
  readonly keepAliveMs: number
  /** How a transport failure becomes an error (shared with the HttpClient calls). */
  readonly transport: (url: string, cause: unknown) => TransportError
  /** One-line body excerpt with the token redacted (shared with the HttpClient calls). */
  readonly excerpt: (body: string, token: string) => string
}

/** The longest part of an error answer's body kept for its excerpt; the rest is read and dropped. */
const ERROR_BODY_BYTES = 16 * 1024

export interface EventPoster {
  readonly post: (json: string) => Effect.Effect<void, ApiError>
  readonly close: Effect.Effect<void>
}

type Undici = { readonly Pool: typeof Pool }

export const make = (undici: Undici, config: EventPosterConfig): EventPoster => {
  const { url, token, timeoutMs } = config
  const target = new URL(url)
  const pool = new undici.Pool(target.origin, {
    connections: config.connections,
    keepAliveTimeout: config.keepAliveMs,
    // Undici's own timers as a first bound; the deadline below bounds the whole exchange.
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connect: { timeout: timeoutMs, rejectUnauthorized: !config.insecure }
  })
  const path = target.pathname + target.search
  const headers = { "content-type": "application/json", authorization: `Bearer ${token}` }
  const timedOut = () => new TransportError({ url, reason: "timeout", message: `no answer in ${timeoutMs} ms from ${url}` })

  const failStatus = (status: number, retryAfter: string | undefined, text: string) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const ex = config.excerpt(text, token)
      return Effect.fail(
        new HttpStatusError({
          url,
          status,
          retryAfterMs: parseRetryAfter(retryAfter, now),
          bodyExcerpt: ex,
          message: `${url} answered HTTP ${status}${ex === "" ? "" : `: ${ex}`}`
        })
      )
    })

  // A raw dispatch handler, not `pool.request`: no body stream, no promise, no AbortController per event.
  const post = (json: string): Effect.Effect<void, ApiError> =>
    Effect.async<void, ApiError>((resume) => {
      let controller: Dispatcher.DispatchController | undefined
      let settled = false
      let status = 0
      let retryAfter: string | undefined
      let errorBody: Array<Buffer> | undefined
      let errorBytes = 0
      const settle = (e: Effect.Effect<void, ApiError>) => {
        if (settled) return
        settled = true
        clearTimeout(deadline)
        resume(e)
      }
      const deadline = setTimeout(() => {
        settle(Effect.fail(timedOut()))
        controller?.abort(new Error("deadline"))
      }, timeoutMs)
      pool.dispatch(
        { path, method: "POST", headers, body: json },
        {
          onRequestStart: (c) => {
            controller = c
            if (settled) c.abort(new Error("interrupted"))
          },
          onResponseStart: (_c, statusCode, h) => {
            status = statusCode
            // 201 is delivered (SPEC section 2); any other status, or a 201 HTML page (a portal), is not.
            const ct = h["content-type"]
            const html = /^\s*(text\/html|application\/xhtml)/i.test(Array.isArray(ct) ? ct[0] ?? "" : ct ?? "")
            if (status === 201 && !html) return
            const ra = h["retry-after"]
            retryAfter = Array.isArray(ra) ? ra[0] : ra
            errorBody = []
          },
          // A success's body is read to its end and dropped (whatever its framing), so the connection goes
          // back to the pool; an error's first ERROR_BODY_BYTES are kept for the excerpt.
          onResponseData: (_c, chunk) => {
            if (errorBody === undefined || errorBytes >= ERROR_BODY_BYTES) return
            errorBody.push(chunk)
            errorBytes += chunk.length
          },
          onResponseEnd: () =>
            settle(
              errorBody === undefined
                ? Effect.void
                : status === 201
                ? Effect.fail(new BadResponseError({ url, message: `${url} answered 201 with an HTML page, not the API's answer` }))
                : failStatus(status, retryAfter, Buffer.concat(errorBody).subarray(0, ERROR_BODY_BYTES).toString("utf8"))
            ),
          onResponseError: (_c, err) => settle(Effect.fail(config.transport(url, err)))
        }
      )
      // Interrupted (the run stops): the request is aborted and its connection dropped.
      return Effect.sync(() => {
        settled = true
        clearTimeout(deadline)
        controller?.abort(new Error("interrupted"))
      })
    })

  return { post, close: Effect.promise(() => pool.destroy().catch(() => undefined)) }
}
