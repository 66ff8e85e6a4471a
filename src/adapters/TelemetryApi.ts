/**
 * The telemetry service's HTTP API (SPEC section 2), one attempt per call: retries, backoff and what to do
 * with each outcome are decided by the programs (see src/domain/Retry.ts). Every request carries the
 * Bearer token; the token never appears in an error.
 *
 * The live layer (`layer(config)`) posts events on undici's own Pool (./EventPoster.ts: thousands per run,
 * the cheapest client per request) and makes the other calls with @effect/platform's HttpClient on an undici
 * Agent (keep-alive pool, tracer propagation off). Every request has a deadline over headers and body
 * together (the download a longer one) and every answer a size cap, enforced as the bytes stream. Its
 * modules are imported dynamically when the layer is built, so importing this tag costs nothing at start-up
 * (a cron run with nothing to send never loads the HTTP stack), and the HttpClient's only at the first call
 * that is not an event.
 */
import type * as HttpClientT from "@effect/platform/HttpClient"
import type * as HttpClientErrorT from "@effect/platform/HttpClientError"
import type * as HttpClientRequestT from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponseT from "@effect/platform/HttpClientResponse"
import { Clock, Context, Effect, Layer, Scope, Stream } from "effect"
import { Credentials } from "./Credentials.js"
import { type ApiError, BadResponseError, HttpStatusError, TransportError } from "../domain/ApiError.js"
import { parseRetryAfter } from "../domain/Retry.js"
import * as EventPoster from "./EventPoster.js"
import { detailOf, excerpt, PHRASES, transportReason } from "./TransportFailure.js"

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
}

export class TelemetryApi extends Context.Tag("etpro/TelemetryApi")<TelemetryApi, TelemetryApiService>() {}

// ---------------------------------------------------------------------------------------------------------
// Live layer

/** Connections kept open to the service (send-events keeps 4 requests in flight). */
const POOL_CONNECTIONS = 8
const KEEP_ALIVE_MS = 30_000
/** Connections for events: send-events keeps 4 requests in flight. */
const EVENT_CONNECTIONS = 4
/** The API's JSON answers are a few hundred bytes; a success longer than this is not the API's (SPEC 5). */
export const MAX_JSON_BYTES = 1024 * 1024
/** The part of an error answer's body read for its excerpt; the rest is never read. */
const ERROR_BODY_BYTES = 16 * 1024
/** The whole ruleset download, headers and body: 12 request timeouts, at least 60 s [60 s]. */
export const downloadDeadlineMs = (timeoutMs: number): number => Math.max(timeoutMs * 12, 60_000)

const isHtml = (contentType: string | undefined): boolean => /^\s*(text\/html|application\/xhtml)/i.test(contentType ?? "")
const successOf = (url: string): string => (/\/api\/v1\/(event|telemetry)$/.test(url) ? "201" : "200")

interface Modules {
  readonly HttpClient: typeof HttpClientT
  readonly NodeHttpClient: typeof import("@effect/platform-node/NodeHttpClient")
  readonly undici: typeof import("undici")
}

const loadHttp = Effect.promise(
  async (): Promise<Modules> => {
    const [HttpClient, NodeHttpClient, undici] = await Promise.all([
      import("@effect/platform/HttpClient"),
      import("@effect/platform-node/NodeHttpClient"),
      import("undici")
    ])
    // Bundled (CommonJS inside ESM), undici's classes sit on its default export.
    const u = typeof undici.Agent === "function" ? undici : (undici as unknown as { default: typeof undici }).default
    return { HttpClient, NodeHttpClient, undici: u }
  }
)

/**
 * Events need only undici's Pool: its module alone, not the package's index, which also loads fetch,
 * WebSocket, caches and mocks (BENCHMARKS.md "Issue 14": most of undici's start-up cost in a cron run).
 */
const loadPool = Effect.promise(() =>
  import("undici/lib/dispatcher/pool.js").then((m) => ({ Pool: m.default }))
)

const trimSlash = (s: string) => s.replace(/\/+$/, "")

/** Builds the service over an undici Agent that lives as long as `scope`. */
/** Real time, for the network deadlines, whatever Clock the program runs on. */
const WALL_CLOCK = Clock.make()

export const make = (config: ApiConfig) =>
  Effect.gen(function* () {
    const scope = yield* Effect.scope
    // The HttpClient stack (and the rest of undici) loads at the first call that is not an event, in this
    // scope: a send-events run never loads it.
    const http = yield* Effect.cached(Scope.extend(Effect.gen(function* () {
      const m = yield* loadHttp
      const agent = yield* Effect.acquireRelease(
        Effect.sync(
          () =>
            new m.undici.Agent({
              connections: POOL_CONNECTIONS,
              keepAliveTimeout: KEEP_ALIVE_MS,
              connect: { timeout: config.timeoutMs, rejectUnauthorized: !config.insecure }
            })
        ),
        (a) => Effect.promise(() => a.destroy().catch(() => undefined))
      )
      // The per-request timeout lives in undici's own timers (headers, then body idle), cheaper than an Effect
      // timeout fiber per request; the HttpClient sets both per request, so an interceptor overrides them.
      const timed = agent.compose((dispatch) => (options, handler) =>
        dispatch({ ...options, headersTimeout: config.timeoutMs, bodyTimeout: config.timeoutMs }, handler)
      )
      // No trace headers ever leave the machine. Client spans are skipped when the caller runs with the tracer
      // off (send-events does, `Effect.withTracerEnabled(false)`: cheaper than a per-request predicate).
      return m.NodeHttpClient.makeUndici(timed).pipe(m.HttpClient.withTracerPropagation(false))
    }), scope))
    // Requests are built eagerly (the service's effects are values); this module is Effect only, no undici.
    const m = { HttpClientRequest: yield* Effect.promise(() => import("@effect/platform/HttpClientRequest")) }
    const base = trimSlash(config.baseUrl)
    const { token, timeoutMs } = config

    const transport = (url: string, cause: unknown, reason = transportReason(cause)) =>
      new TransportError({
        url,
        reason,
        message: reason === "timeout" ? `no answer in ${timeoutMs} ms from ${url}` : `${PHRASES[reason]} ${url}${detailOf(cause)}`
      })

    const fromClientError = (url: string) => (e: HttpClientErrorT.HttpClientError) =>
      e._tag === "RequestError" && e.reason !== "Transport"
        ? transport(url, e.cause, "other")
        : transport(url, e.cause)

    /**
     * Sends, checks the status and reads the body with `body`, all within `deadline` (headers and body
     * together: a service that sends its headers and then trickles the body is cut off at the deadline, not
     * when it stops). undici's own timers (headers, body idle) stay as a first bound.
     */
    const send = <A>(
      request: HttpClientRequestT.HttpClientRequest,
      expect: (r: HttpClientResponseT.HttpClientResponse) => Effect.Effect<boolean, ApiError>,
      body: (r: HttpClientResponseT.HttpClientResponse) => Effect.Effect<A, ApiError>,
      deadline: number = timeoutMs
    ): Effect.Effect<A, ApiError> => {
      const url = request.url
      const exchange = Effect.flatMap(http, (client) => client.execute(m.HttpClientRequest.bearerToken(request, token))).pipe(
        Effect.mapError(fromClientError(url)),
        Effect.flatMap((r) =>
          Effect.flatMap(expect(r), (ok) => {
            if (ok) return body(r)
            return Effect.gen(function* () {
              // Only the start of an error's body is read (for its excerpt); the rest is dropped with the connection.
              const head = yield* readUpTo(url, r, ERROR_BODY_BYTES).pipe(Effect.orElseSucceed(() => ({ bytes: Buffer.alloc(0), over: false })))
              const now = yield* Clock.currentTimeMillis
              const retryAfterMs = parseRetryAfter(r.headers["retry-after"], now)
              const ex = excerpt(head.bytes.toString("utf8"), token)
              return yield* new HttpStatusError({
                url,
                status: r.status,
                retryAfterMs,
                bodyExcerpt: ex,
                message: `${url} answered HTTP ${r.status}${r.status >= 200 && r.status < 300 ? ` (not the API's ${successOf(url)})` : ""}${ex === "" ? "" : `: ${ex}`}`
              })
            })
          })
        )
      )
      // The deadline is the network's, in wall time: on replay's simulated clock (or a TestClock) a request
      // in flight must not time out because simulated time was moved past it.
      const expired = Effect.sleep(deadline).pipe(
        Effect.withClock(WALL_CLOCK),
        Effect.zipRight(Effect.fail(new TransportError({ url, reason: "timeout", message: `no answer in ${deadline} ms from ${url}` })))
      )
      return Effect.raceFirst(exchange, expired)
    }

    /**
     * The body's first `cap` bytes, read as they stream: `over` when there was more (the rest is never read;
     * the stream is closed, and undici drops the connection).
     */
    const readUpTo = (url: string, r: HttpClientResponseT.HttpClientResponse, cap: number) =>
      Effect.suspend(() => {
        const chunks: Array<Uint8Array> = []
        let n = 0
        let over = false
        return r.stream.pipe(
          Stream.mapError((e) => transport(url, e.cause) as ApiError),
          Stream.runForEachWhile((c) =>
            Effect.sync(() => {
              const room = cap - n
              n += c.byteLength
              if (c.byteLength > room) {
                over = true
                chunks.push(c.subarray(0, room))
                return false
              }
              chunks.push(c)
              return true
            })
          ),
          Effect.map(() => ({ bytes: Buffer.concat(chunks), over }))
        )
      })

    /** A success's body, at most `MAX_JSON_BYTES`: the API's answers are small, a longer one is not the API's. */
    const capped = (url: string) => (r: HttpClientResponseT.HttpClientResponse) =>
      Effect.flatMap(readUpTo(url, r, MAX_JSON_BYTES), ({ bytes, over }) =>
        over
          ? Effect.fail(new BadResponseError({ url, message: `${url} answered with more than ${MAX_JSON_BYTES} bytes (not the API's answer)` }))
          : Effect.succeed(bytes.toString("utf8"))
      )

    /** SPEC section 2: 201 for the posts; an HTML page with it (a captive portal, a proxy) is not the API's. */
    const created = (url: string) => (r: HttpClientResponseT.HttpClientResponse) => {
      if (r.status !== 201) return Effect.succeed(false)
      return isHtml(r.headers["content-type"])
        ? Effect.fail(new BadResponseError({ url, message: `${url} answered 201 with an HTML page, not the API's answer` }))
        : Effect.succeed(true)
    }
    const ok200 = (r: HttpClientResponseT.HttpClientResponse) => Effect.succeed(r.status === 200)

    const drain = (url: string) => (r: HttpClientResponseT.HttpClientResponse) => Effect.asVoid(capped(url)(r))

    const json = (url: string) => (r: HttpClientResponseT.HttpClientResponse) =>
      capped(url)(r).pipe(
        Effect.flatMap((text) =>
          Effect.try({
            try: () => JSON.parse(text) as unknown,
            catch: () =>
              new BadResponseError({ url, message: `${url} answered with a body that is not JSON: ${excerpt(text, token)}` })
          })
        )
      )

    const object = (url: string) => (r: HttpClientResponseT.HttpClientResponse) =>
      json(url)(r).pipe(
        Effect.filterOrFail(
          (v): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v),
          () => new BadResponseError({ url, message: `${url} answered with JSON that is not an object` })
        )
      )

    const eventUrl = `${base}/api/v1/event`
    const telemetryUrl = `${base}/api/v1/telemetry`
    const sensorInfoUrl = `${base}/api/v1/sensorinfo`
    const versionUrl = `${base}/api/v1/ruleset/version`
    const rulesetUrl = `${base}/api/v1/ruleset/engine/suricata/5`

    const pool = yield* loadPool
    // Events go on undici directly (./EventPoster.ts): thousands per run, each cheaper without the HttpClient.
    const events = yield* Effect.acquireRelease(
      Effect.sync(() =>
        EventPoster.make(pool, {
          url: eventUrl,
          token,
          insecure: config.insecure,
          timeoutMs,
          connections: EVENT_CONNECTIONS,
          keepAliveMs: KEEP_ALIVE_MS,
          transport: (url, cause) => transport(url, cause),
          excerpt
        })
      ),
      (p) => p.close
    )

    const service: TelemetryApiService = {
      postEvent: events.post,

      postHeartbeat: (body) =>
        send(
          m.HttpClientRequest.post(telemetryUrl).pipe(
            m.HttpClientRequest.bodyText(JSON.stringify(body), "application/json")
          ),
          created(telemetryUrl),
          drain(telemetryUrl)
        ),

      sensorInfo: send(m.HttpClientRequest.get(sensorInfoUrl), ok200, object(sensorInfoUrl)),

      rulesetVersion: send(m.HttpClientRequest.get(versionUrl), ok200, object(versionUrl)).pipe(
        Effect.flatMap((o) => {
          const v = o.version
          return typeof v === "string" || typeof v === "number"
            ? Effect.succeed(String(v))
            : Effect.fail(new BadResponseError({ url: versionUrl, message: `${versionUrl} answered without a version` }))
        })
      ),

      downloadRuleset: (dest, maxBytes) =>
        send(
          m.HttpClientRequest.get(rulesetUrl),
          ok200,
          (r) => writeBody(rulesetUrl, r, dest, maxBytes),
          // A ruleset is megabytes: undici's timers bound the wait for headers and each chunk, this the whole.
          config.downloadTimeoutMs ?? downloadDeadlineMs(timeoutMs)
        )
    }

    /** A full disk is said as such, with the path (not a defect, not a "corrupt" download). */
    const writeFailed = (url: string, dest: string) => (e: unknown): ApiError => {
      const code = (e as NodeJS.ErrnoException).code
      const why = code === "ENOSPC" ? `no space left on ${dest}` : `${dest} (${code ?? String(e)})`
      return new BadResponseError({ url, message: `cannot write the download of ${url}: ${why}` })
    }

    const writeBody = (url: string, r: HttpClientResponseT.HttpClientResponse, dest: string, maxBytes: number) =>
      Effect.acquireUseRelease(
        Effect.tryPromise({
          try: () => import("node:fs/promises").then((fs) => fs.open(dest, "w", 0o644)),
          catch: (e) =>
            new BadResponseError({
              url,
              message: `cannot write the download of ${url} to ${dest} (${(e as NodeJS.ErrnoException).code ?? "error"})`
            })
        }),
        (fh) => {
          let written = 0
          return r.stream.pipe(
            Stream.mapError((e) => transport(url, e.cause) as ApiError),
            Stream.runForEach((chunk) => {
              written += chunk.byteLength
              if (written > maxBytes) {
                return Effect.fail(
                  new BadResponseError({ url, message: `${url}: the ruleset is larger than ${maxBytes} bytes` }) as ApiError
                )
              }
              return Effect.tryPromise({ try: () => fh.write(chunk), catch: writeFailed(url, dest) })
            }),
            Effect.zipRight(Effect.tryPromise({ try: () => fh.sync(), catch: writeFailed(url, dest) })),
            Effect.map(() => written),
            Effect.tapError(() => Effect.promise(() => import("node:fs/promises").then((fs) => fs.rm(dest, { force: true }))))
          )
        },
        (fh) => Effect.promise(() => fh.close())
      )

    return service
  })

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
      const live = Effect.suspend(() => made === undefined ? Effect.tap(cached, (a) => void (made = a)) : Effect.succeed(made))
      return {
        postEvent: (json) => made === undefined ? Effect.flatMap(live, (a) => a.postEvent(json)) : made.postEvent(json),
        postHeartbeat: (body) => Effect.flatMap(live, (a) => a.postHeartbeat(body)),
        sensorInfo: Effect.flatMap(live, (a) => a.sensorInfo),
        rulesetVersion: Effect.flatMap(live, (a) => a.rulesetVersion),
        downloadRuleset: (dest, maxBytes) => Effect.flatMap(live, (a) => a.downloadRuleset(dest, maxBytes))
      } satisfies TelemetryApiService
    })
  )
