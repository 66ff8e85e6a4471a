/**
 * The telemetry service's HTTP API (SPEC section 2), one attempt per call: retries, backoff and what to do
 * with each outcome are decided by the programs (see src/domain/Retry.ts). Every request carries the
 * Bearer token; the token never appears in an error.
 *
 * The live layer (`layer(config)`) posts events on undici's own Pool (./EventPoster.ts: thousands per run,
 * the cheapest client per request) and makes the other calls with @effect/platform's HttpClient on an undici
 * Agent (keep-alive pool, tracer propagation off, a timeout per request). Its modules are imported dynamically
 * when the layer is built, so importing this tag costs nothing at start-up (a cron run with nothing to send
 * never loads the HTTP stack), and the HttpClient's only at the first call that is not an event.
 */
import type * as HttpClientT from "@effect/platform/HttpClient"
import type * as HttpClientErrorT from "@effect/platform/HttpClientError"
import type * as HttpClientRequestT from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponseT from "@effect/platform/HttpClientResponse"
import { Clock, Context, Effect, Layer, Scope, Stream } from "effect"
import { Credentials } from "./Credentials.js"
import { type ApiError, BadResponseError, HttpStatusError, TransportError } from "../domain/ApiError.js"
import { parseRetryAfter } from "../domain/Retry.js"
import { redact } from "../domain/Token.js"
import * as EventPoster from "./EventPoster.js"


export interface ApiConfig {
  readonly baseUrl: string
  readonly token: string
  /** Skip TLS certificate verification (`--insecure`). */
  readonly insecure: boolean
  /** Per request [5 s]. */
  readonly timeoutMs: number
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
const EXCERPT_CHARS = 200

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|EPROTO$|HOSTNAME_MISMATCH)/

/** The undici / system error codes in a cause chain (AggregateError included). */
const codesOf = (cause: unknown, depth = 0): Array<string> => {
  if (depth > 5 || typeof cause !== "object" || cause === null) return []
  const c = cause as { code?: unknown; cause?: unknown; errors?: unknown }
  const own = typeof c.code === "string" ? [c.code] : []
  const nested = Array.isArray(c.errors) ? c.errors.flatMap((e) => codesOf(e, depth + 1)) : []
  return [...own, ...nested, ...codesOf(c.cause, depth + 1)]
}

/** Sorts a transport failure into the reasons operators act on differently. */
export const transportReason = (cause: unknown): TransportError["reason"] => {
  const codes = codesOf(cause)
  const has = (...xs: Array<string>) => codes.some((c) => xs.includes(c))
  if (has("ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NONAME", "EAI_NODATA")) return "dns"
  if (has("ECONNREFUSED")) return "refused"
  if (codes.some((c) => TLS_CODES.test(c))) return "tls"
  if (has("UND_ERR_CONNECT_TIMEOUT", "ETIMEDOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT")) return "timeout"
  if (has("ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "ECONNABORTED", "UND_ERR_CLOSED", "ERR_STREAM_PREMATURE_CLOSE")) {
    return "reset"
  }
  const text = String((cause as { message?: unknown } | null)?.message ?? "")
  if (/certificate|ssl|tls/i.test(text)) return "tls"
  return "other"
}

const PHRASES: Record<TransportError["reason"], string> = {
  dns: "cannot resolve the host name of",
  refused: "connection refused by",
  reset: "connection reset by",
  timeout: "no answer in time from",
  tls: "TLS failure (certificate not trusted or handshake failed; --insecure skips verification) talking to",
  other: "request failed to"
}

const detailOf = (cause: unknown): string => {
  const codes = codesOf(cause)
  return codes.length > 0 ? ` (${[...new Set(codes)].join(", ")})` : ""
}

/** One line, at most EXCERPT_CHARS, the token (should the service echo it) replaced. */
export const excerpt = (body: string, token: string): string => {
  let t = body.replace(/\s+/g, " ").trim()
  t = redact(t, token)
  return t.length > EXCERPT_CHARS ? `${t.slice(0, EXCERPT_CHARS)}…` : t
}

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
     * Sends, checks the status and reads the body with `body`. undici bounds the wait for headers and each
     * body chunk by `timeoutMs`; `overall`, when given, bounds the whole exchange (downloads).
     */
    const send = <A>(
      request: HttpClientRequestT.HttpClientRequest,
      expect: (status: number) => boolean,
      body: (r: HttpClientResponseT.HttpClientResponse) => Effect.Effect<A, ApiError>,
      overall?: number
    ): Effect.Effect<A, ApiError> => {
      const url = request.url
      const exchange = Effect.flatMap(http, (client) => client.execute(m.HttpClientRequest.bearerToken(request, token))).pipe(
        Effect.mapError(fromClientError(url)),
        Effect.flatMap((r) => {
          if (expect(r.status)) return body(r)
          return Effect.gen(function* () {
            const text = yield* r.text.pipe(Effect.orElseSucceed(() => ""))
            const now = yield* Clock.currentTimeMillis
            const retryAfterMs = parseRetryAfter(r.headers["retry-after"], now)
            const ex = excerpt(text, token)
            return yield* new HttpStatusError({
              url,
              status: r.status,
              retryAfterMs,
              bodyExcerpt: ex,
              message: `${url} answered HTTP ${r.status}${ex === "" ? "" : `: ${ex}`}`
            })
          })
        })
      )
      return overall === undefined
        ? exchange
        : Effect.timeoutFail(exchange, {
            duration: overall,
            onTimeout: () => new TransportError({ url, reason: "timeout", message: `no answer in ${overall} ms from ${url}` })
          })
    }

    /**
     * A success's body is not needed. undici releases the connection when the answer is complete, whether
     * or not its body was read, as long as the body fits its buffer: a short declared body is left unread
     * (reading it through the client costs more than the request itself, see BENCHMARKS.md); anything else
     * is read to the end.
     */
    const drain = (r: HttpClientResponseT.HttpClientResponse): Effect.Effect<void> => {
      const length = Number(r.headers["content-length"])
      return Number.isFinite(length) && length <= 16 * 1024
        ? Effect.void
        : r.arrayBuffer.pipe(Effect.asVoid, Effect.orElseSucceed(() => undefined))
    }

    const json = (url: string) => (r: HttpClientResponseT.HttpClientResponse) =>
      r.text.pipe(
        Effect.mapError((e) => transport(url, e.cause)),
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

    const is2xx = (s: number) => s >= 200 && s < 300
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
          is2xx,
          drain
        ),

      sensorInfo: send(m.HttpClientRequest.get(sensorInfoUrl), is2xx, object(sensorInfoUrl)),

      rulesetVersion: send(m.HttpClientRequest.get(versionUrl), is2xx, object(versionUrl)).pipe(
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
          is2xx,
          (r) => writeBody(rulesetUrl, r, dest, maxBytes),
          // A ruleset is megabytes: the per-request timeout bounds the wait for headers, this the whole.
          Math.max(timeoutMs * 12, 60_000)
        )
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
              return Effect.promise(() => fh.write(chunk))
            }),
            Effect.zipRight(Effect.promise(() => fh.sync())),
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
      const live = yield* Effect.cached(
        credentials.token.pipe(
          Effect.orDie,
          Effect.flatMap((t) => Scope.extend(make({ ...settings, token: t.token }), scope))
        )
      )
      return {
        postEvent: (json) => Effect.flatMap(live, (a) => a.postEvent(json)),
        postHeartbeat: (body) => Effect.flatMap(live, (a) => a.postHeartbeat(body)),
        sensorInfo: Effect.flatMap(live, (a) => a.sensorInfo),
        rulesetVersion: Effect.flatMap(live, (a) => a.rulesetVersion),
        downloadRuleset: (dest, maxBytes) => Effect.flatMap(live, (a) => a.downloadRuleset(dest, maxBytes))
      } satisfies TelemetryApiService
    })
  )
