/**
 * The telemetry service's HTTP API (SPEC section 2), one attempt per call: retries, backoff and what to do
 * with each outcome are decided by the programs (src/domain/Delivery.ts, src/domain/Retry.ts). Every request
 * carries the Bearer token; the token never appears in an error.
 *
 * The live layer (`layer(config)`) makes every call on one client (./HttpTransport.ts: one undici Pool, one
 * deadline over headers and body, one size cap as the body streams) and reads every reply with one
 * classifier (src/domain/Answer.ts). undici is imported when the layer is built, so importing this tag costs
 * nothing at start-up (a cron run with nothing to send never loads the HTTP stack).
 */
import { Clock, Context, Effect, Layer, Scope } from "effect"
import { closeSync, openSync, rmSync, fsyncSync, writeSync } from "node:fs"
import { Credentials } from "./Credentials.js"
import { jsonTextDeeperThan, tooDeepMessage } from "../domain/ServiceAnswer.js"
import { classify, type Expectation, isHtml } from "../domain/Answer.js"
import { type ApiError, BadResponseError, HttpStatusError, type TransportError } from "../domain/ApiError.js"
import { parseRetryAfter } from "../domain/Retry.js"
import * as HttpTransport from "./HttpTransport.js"
import { excerpt, transportReason } from "./TransportFailure.js"

export { excerpt, transportReason }

export interface ApiConfig {
  readonly baseUrl: string
  readonly token: string
  /** Skip TLS certificate verification (`--insecure`). */
  readonly insecure: boolean
  /** Per request, headers and body together [5 s]. */
  readonly timeoutMs: number
  /** The ruleset download as a whole [`downloadDeadlineMs(timeoutMs)`: 60 s at the default]. */
  readonly downloadTimeoutMs?: number | undefined
}

export interface TelemetryApiService {
  /** `POST /api/v1/event` with one sanitised event (JSON text); 201 is success. */
  readonly postEvent: (json: string) => Effect.Effect<void, ApiError>
  /** `POST /api/v1/telemetry` with the heartbeat; 201 is success. */
  readonly postHeartbeat: (body: unknown) => Effect.Effect<void, ApiError>
  /** `GET /api/v1/sensorinfo`: the service's JSON object. */
  readonly sensorInfo: Effect.Effect<Record<string, unknown>, ApiError>
  /** `GET /api/v1/ruleset/version`: the `version` field. */
  readonly rulesetVersion: Effect.Effect<string, ApiError>
  /** `GET /api/v1/ruleset/engine/suricata/5`, streamed to `dest`; returns the bytes written. */
  readonly downloadRuleset: (dest: string, maxBytes: number) => Effect.Effect<number, ApiError>
  /**
   * The per-request deadline the live client has learned (it doubles after a timeout, up to 60 s), and a
   * way to start from one an earlier run learned. Absent on test layers (no deadlines there).
   */
  readonly deadline?: { readonly current: () => number; readonly learn: (ms: number) => void }
}

export class TelemetryApi extends Context.Tag("etpro/TelemetryApi")<TelemetryApi, TelemetryApiService>() {}

// ---------------------------------------------------------------------------------------------------------
// Live layer

/** Connections kept open to the service (send-events keeps 4 requests in flight). */
const POOL_CONNECTIONS = 8
const KEEP_ALIVE_MS = 30_000
/** The API's JSON answers are a few hundred bytes; a success longer than this is not the API's (SPEC 5). */
export const MAX_JSON_BYTES = 1024 * 1024
/** The whole ruleset download, headers and body: 12 request timeouts, at least 60 s [60 s]. */
export const downloadDeadlineMs = (timeoutMs: number): number => Math.max(timeoutMs * 12, 60_000)

const loadUndici = Effect.promise(async () => {
  const undici = await import("undici")
  // Bundled (CommonJS inside ESM), undici's classes sit on its default export.
  return typeof undici.Pool === "function" ? undici : (undici as unknown as { default: typeof undici }).default
})

const trimSlash = (s: string) => s.replace(/\/+$/, "")

const POST: Expectation = { success: 201, json: false }
const GET: Expectation = { success: 200, json: true }
const FILE: Expectation = { success: 200, json: false }

export const make = (config: ApiConfig) =>
  Effect.gen(function* () {
    const base = trimSlash(config.baseUrl)
    const origin = new URL(base)
    const prefix = origin.pathname.replace(/\/+$/, "")
    const undici = yield* loadUndici
    const http = yield* Effect.acquireRelease(
      Effect.sync(() =>
        HttpTransport.make(undici, {
          origin: origin.origin,
          token: config.token,
          insecure: config.insecure,
          timeoutMs: config.timeoutMs,
          connections: POOL_CONNECTIONS,
          keepAliveMs: KEEP_ALIVE_MS
        })
      ),
      (t) => t.close
    )
    const { token } = config

    /**
     * One exchange, its reply read by the one classifier: the API's success gives its body; anything else
     * becomes the error the programs act on (src/domain/Answer.ts `ofError` gives its kind back).
     */
    const call = (
      path: string,
      expect: Expectation,
      init: { readonly body?: string; readonly cap?: number; readonly sink?: (c: Buffer) => boolean; readonly deadlineMs?: number } = {}
    ): Effect.Effect<HttpTransport.HttpReply, ApiError> => {
      const url = base + path
      return Effect.flatMap(
        http.exchange({
          method: init.body === undefined ? "GET" : "POST",
          path: prefix + path,
          url,
          ...(init.body === undefined ? {} : { body: init.body }),
          success: expect.success,
          cap: init.cap ?? MAX_JSON_BYTES,
          ...(init.sink === undefined ? {} : { sink: init.sink }),
          ...(init.deadlineMs === undefined ? {} : { deadlineMs: init.deadlineMs })
        }),
        (r): Effect.Effect<HttpTransport.HttpReply, ApiError> => {
          const text = r.body.subarray(0, HttpTransport.ERROR_BODY_BYTES).toString("utf8")
          const kind = classify({ status: r.status, contentType: r.contentType, excerpt: text }, expect)
          if (kind === "delivered") {
            return r.over
              ? Effect.fail(new BadResponseError({ url, message: `${url} answered with more than ${init.cap ?? MAX_JSON_BYTES} bytes (not the API's answer)` }))
              : Effect.succeed(r)
          }
          const ex = excerpt(text, token)
          if (kind === "not-api") {
            const message = isHtml(r.contentType)
              ? `${url} answered with an HTML page (HTTP ${r.status}), not the API's answer${ex === "" ? "" : `: ${ex}`}`
              : r.status >= 300 && r.status < 400
              ? `${url} answered with a redirect (HTTP ${r.status}${r.location === undefined ? "" : ` to ${excerpt(r.location, token)}`}), not the API's answer`
              : `${url} answered with a body that is not JSON: ${ex}`
            return Effect.fail(new BadResponseError({ url, message }))
          }
          return Effect.flatMap(Clock.currentTimeMillis, (now) =>
            Effect.fail(
              new HttpStatusError({
                url,
                status: r.status,
                retryAfterMs: parseRetryAfter(r.retryAfter, now),
                bodyExcerpt: ex,
                message: `${url} answered HTTP ${r.status}${r.status >= 200 && r.status < 300 ? ` (not the API's ${expect.success})` : ""}${ex === "" ? "" : `: ${ex}`}`
              })
            )
          )
        }
      )
    }

    const object = (path: string) =>
      Effect.flatMap(call(path, GET), (r) => {
        const url = base + path
        const text = r.body.toString("utf8")
        // Bounded before parsing: a 50,000-deep answer is refused, not a stack overflow (issue 24 row 9).
        if (jsonTextDeeperThan(text)) return Effect.fail(new BadResponseError({ url, message: tooDeepMessage() }))
        let v: unknown
        try {
          v = JSON.parse(text)
        } catch {
          return Effect.fail(new BadResponseError({ url, message: `${url} answered with a body that is not JSON: ${excerpt(text, token)}` }))
        }
        return typeof v === "object" && v !== null && !Array.isArray(v)
          ? Effect.succeed(v as Record<string, unknown>)
          : Effect.fail(new BadResponseError({ url, message: `${url} answered with JSON that is not an object` }))
      })

    const RULESET = "/api/v1/ruleset/engine/suricata/5"
    /** Streams the ruleset into `dest` (synchronous writes: no chunk waits in memory); a failure removes it. */
    const download = (dest: string, maxBytes: number) =>
      Effect.suspend(() => {
        const url = base + RULESET
        let fd: number
        try {
          fd = openSync(dest, "w", 0o644)
        } catch (e) {
          return Effect.fail(
            new BadResponseError({ url, message: `cannot write the download of ${url} to ${dest} (${(e as NodeJS.ErrnoException).code ?? "error"})` })
          )
        }
        let failed: ApiError | undefined
        const write = (chunk: Buffer) => {
          try {
            writeSync(fd, chunk)
            return true
          } catch (e) {
            failed = writeFailed(url, dest)(e)
            return false
          }
        }
        return call(RULESET, FILE, { cap: maxBytes, sink: write, deadlineMs: config.downloadTimeoutMs ?? downloadDeadlineMs(config.timeoutMs) }).pipe(
          Effect.flatMap((r) => {
            if (failed !== undefined) return Effect.fail(failed)
            if (r.over) return Effect.fail(new BadResponseError({ url, message: `${url}: the ruleset is larger than ${maxBytes} bytes` }))
            try {
              fsyncSync(fd)
            } catch (e) {
              return Effect.fail(writeFailed(url, dest)(e))
            }
            return Effect.succeed(r.bytes)
          }),
          Effect.tapError(() => Effect.sync(() => rmSync(dest, { force: true }))),
          Effect.ensuring(Effect.sync(() => closeSync(fd)))
        )
      })

    const service: TelemetryApiService = {
      postEvent: (json) => Effect.asVoid(call("/api/v1/event", POST, { body: json })),
      postHeartbeat: (body) => Effect.asVoid(call("/api/v1/telemetry", POST, { body: JSON.stringify(body) })),
      sensorInfo: object("/api/v1/sensorinfo"),
      rulesetVersion: object("/api/v1/ruleset/version").pipe(
        Effect.flatMap((o) => {
          const v = o.version
          const url = base + "/api/v1/ruleset/version"
          return typeof v === "string" || typeof v === "number"
            ? Effect.succeed(String(v))
            : Effect.fail(new BadResponseError({ url, message: `${url} answered without a version` }))
        })
      ),
      downloadRuleset: download,
      deadline: { current: http.deadlineMs, learn: http.learn }
    }
    return service
  })

/** A full disk is said as such, with the path (not a defect, not a "corrupt" download). */
const writeFailed = (url: string, dest: string) => (e: unknown): ApiError => {
  const code = (e as NodeJS.ErrnoException).code
  const why = code === "ENOSPC" ? `no space left on ${dest}` : `${dest} (${code ?? String(e)})`
  return new BadResponseError({ url, message: `cannot write the download of ${url}: ${why}` })
}

export type { TransportError }

/** The live service for one configuration; the connection pool closes with the layer. */
export const layer = (config: ApiConfig): Layer.Layer<TelemetryApi> => Layer.scoped(TelemetryApi, make(config))

export type ApiSettings = Omit<ApiConfig, "token">

/**
 * The live layer the composition root builds from the flags and Credentials. The token and the HTTP stack
 * are taken at the first call, so a run that sends nothing (or fails on its token first) loads neither;
 * the programs read the token themselves before calling, so its failure here is a defect.
 */
export const layerFromCredentials = (settings: ApiSettings): Layer.Layer<TelemetryApi, never, Credentials> =>
  Layer.scoped(
    TelemetryApi,
    Effect.gen(function* () {
      const credentials = yield* Credentials
      const scope = yield* Effect.scope
      const cached = yield* Effect.cached(
        credentials.token.pipe(
          Effect.orDie,
          Effect.flatMap((t) => Scope.extend(make({ ...settings, token: t.token }), scope))
        )
      )
      // Once made, the service is taken from a variable: an access to `cached` costs a fiber-refs patch,
      // which events (thousands a run) would pay each.
      let made: TelemetryApiService | undefined
      // A deadline learned before the client is made is handed to it when it is.
      let learned: number | undefined
      const live = Effect.suspend(() =>
        made === undefined
          ? Effect.tap(cached, (a) => {
            made = a
            if (learned !== undefined) a.deadline?.learn(learned)
          })
          : Effect.succeed(made)
      )
      return {
        postEvent: (json) => made === undefined ? Effect.flatMap(live, (a) => a.postEvent(json)) : made.postEvent(json),
        postHeartbeat: (body) => Effect.flatMap(live, (a) => a.postHeartbeat(body)),
        sensorInfo: Effect.flatMap(live, (a) => a.sensorInfo),
        rulesetVersion: Effect.flatMap(live, (a) => a.rulesetVersion),
        downloadRuleset: (dest, maxBytes) => Effect.flatMap(live, (a) => a.downloadRuleset(dest, maxBytes)),
        deadline: {
          current: () => made?.deadline?.current() ?? learned ?? settings.timeoutMs,
          learn: (ms) => {
            learned = ms
            made?.deadline?.learn(ms)
          }
        }
      } satisfies TelemetryApiService
    })
  )
