/**
 * The one HTTP client of the agent: every call to the telemetry service (events, heartbeat, sensor info,
 * rules) is one exchange on one undici Pool (public API only), as a raw dispatch handler: no body stream, no
 * promise, no AbortController per request (events are sent thousands of times a run). An exchange has
 *
 * - one deadline over connection, headers and body together (a service that sends its headers and then
 *   trickles the body is cut off at the deadline, not when it stops);
 * - one size cap, enforced as the body streams: the API's success for this call is read up to `cap` (or
 *   handed to `sink`), any other answer up to ERROR_BODY_BYTES, for its excerpt; past the cap the
 *   connection is dropped and the reply marked `over`;
 * - a deadline that learns: after a timeout the next exchange waits twice as long, up to MAX_DEADLINE_MS
 *   (an overloaded service that answers just after the deadline is not sent every event again and again).
 *
 * What a reply means is decided by src/domain/Answer.ts; this adapter only moves bytes.
 */
import type { Dispatcher, Pool } from "undici"
import { Effect } from "effect"
import { TransportError } from "../domain/ApiError.js"
import { detailOf, PHRASES, transportReason } from "./TransportFailure.js"

/** The part of an answer other than the expected success read for its excerpt; the rest is never read. */
export const ERROR_BODY_BYTES = 16 * 1024
/** The longest a learned deadline grows to. */
export const MAX_DEADLINE_MS = 60_000

export interface TransportConfig {
  /** Scheme, host and port of the service. */
  readonly origin: string
  readonly token: string
  readonly insecure: boolean
  /** The first deadline of an exchange [5 s]; it doubles after each timeout, up to MAX_DEADLINE_MS. */
  readonly timeoutMs: number
  readonly connections: number
  readonly keepAliveMs: number
}

export interface Exchange {
  readonly method: "GET" | "POST"
  /** Path and query, e.g. /api/v1/event. */
  readonly path: string
  /** The full URL, for messages. */
  readonly url: string
  readonly body?: string
  /** The status whose body is read up to `cap` (or given to `sink`); any other is read for an excerpt only. */
  readonly success: number
  readonly cap: number
  /** Takes a success's body as it streams instead of keeping it; `false` stops reading (the sink keeps why). */
  readonly sink?: (chunk: Buffer) => boolean
  /** Overrides the learned deadline (the ruleset download, megabytes, has its own). */
  readonly deadlineMs?: number
}

export interface HttpReply {
  readonly status: number
  readonly contentType: string | undefined
  readonly retryAfter: string | undefined
  readonly location: string | undefined
  /** What was kept of the body (nothing when a sink took it). */
  readonly body: Buffer
  /** More than the cap was sent; the rest was not read. */
  readonly over: boolean
  /** Bytes of the body received (counted also when a sink took them). */
  readonly bytes: number
}

export interface HttpTransport {
  readonly exchange: (x: Exchange) => Effect.Effect<HttpReply, TransportError>
  /** The deadline the next exchange will have (learned from timeouts in this process). */
  readonly deadlineMs: () => number
  /** Starts from a deadline learned by an earlier run (bounded to [timeoutMs, MAX_DEADLINE_MS]). */
  readonly learn: (ms: number) => void
  readonly close: Effect.Effect<void>
}

type Undici = { readonly Pool: typeof Pool }

const header = (h: Record<string, string | Array<string> | undefined>, name: string): string | undefined => {
  const v = h[name]
  return Array.isArray(v) ? v[0] : v
}

export const make = (undici: Undici, config: TransportConfig): HttpTransport => {
  const pool = new undici.Pool(config.origin, {
    connections: config.connections,
    keepAliveTimeout: config.keepAliveMs,
    connect: { timeout: config.timeoutMs, rejectUnauthorized: !config.insecure }
  })
  let learned = config.timeoutMs
  const auth = `Bearer ${config.token}`

  const failure = (url: string, cause: unknown): TransportError => {
    const reason = transportReason(cause)
    return new TransportError({ url, reason, message: `${PHRASES[reason]} ${url}${detailOf(cause)}` })
  }

  const exchange = (x: Exchange): Effect.Effect<HttpReply, TransportError> =>
    Effect.async<HttpReply, TransportError>((resume) => {
      const deadlineMs = x.deadlineMs ?? learned
      let controller: Dispatcher.DispatchController | undefined
      let settled = false
      let status = 0
      let contentType: string | undefined
      let retryAfter: string | undefined
      let location: string | undefined
      let cap = ERROR_BODY_BYTES
      let sink: ((chunk: Buffer) => boolean) | undefined
      const kept: Array<Buffer> = []
      let bytes = 0
      const settle = (e: Effect.Effect<HttpReply, TransportError>) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        resume(e)
      }
      const reply = (over: boolean): HttpReply => ({ status, contentType, retryAfter, location, body: Buffer.concat(kept), over, bytes })
      const timer = setTimeout(() => {
        // Only the learned deadline learns: the next exchange on this pool waits twice as long.
        if (x.deadlineMs === undefined) learned = Math.min(MAX_DEADLINE_MS, Math.max(learned, deadlineMs * 2))
        settle(Effect.fail(new TransportError({ url: x.url, reason: "timeout", message: `no answer in ${deadlineMs} ms from ${x.url}` })))
        controller?.abort(new Error("deadline"))
      }, deadlineMs)
      const headers: Record<string, string> = { authorization: auth }
      if (x.body !== undefined) headers["content-type"] = "application/json"
      pool.dispatch(
        {
          path: x.path,
          method: x.method,
          headers,
          ...(x.body === undefined ? {} : { body: x.body }),
          // undici's own timers as a first bound; the deadline above bounds the exchange as a whole.
          headersTimeout: deadlineMs,
          bodyTimeout: deadlineMs
        },
        {
          onRequestStart: (c) => {
            controller = c
            if (settled) c.abort(new Error("interrupted"))
          },
          onResponseStart: (_c, statusCode, h) => {
            status = statusCode
            contentType = header(h, "content-type")
            retryAfter = header(h, "retry-after")
            location = header(h, "location")
            if (status === x.success && !/^\s*(text\/html|application\/xhtml)/i.test(contentType ?? "")) {
              cap = x.cap
              sink = x.sink
            }
          },
          onResponseData: (c, chunk) => {
            if (settled) return
            const room = cap - bytes
            bytes += chunk.length
            const part = chunk.length > room ? chunk.subarray(0, Math.max(0, room)) : chunk
            if (sink !== undefined) {
              if (!sink(part)) {
                settle(Effect.succeed(reply(false)))
                c.abort(new Error("sink stopped"))
                return
              }
            } else kept.push(part)
            if (chunk.length > room) {
              // Past the cap: what was read is the answer; the rest is dropped with the connection.
              settle(Effect.succeed(reply(true)))
              c.abort(new Error("over the size cap"))
            }
          },
          onResponseEnd: () => settle(Effect.succeed(reply(false))),
          onResponseError: (_c, err) => settle(Effect.fail(failure(x.url, err)))
        }
      )
      // Interrupted (the run stops): the request is aborted and its connection dropped.
      return Effect.sync(() => {
        settled = true
        clearTimeout(timer)
        controller?.abort(new Error("interrupted"))
      })
    })

  return {
    exchange,
    deadlineMs: () => learned,
    learn: (ms) => void (learned = Math.min(MAX_DEADLINE_MS, Math.max(config.timeoutMs, Math.floor(ms)))),
    close: Effect.promise(() => pool.destroy().catch(() => undefined))
  }
}
