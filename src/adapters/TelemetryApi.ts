/**
 * The telemetry service's HTTP API (SPEC section 2), one attempt per call: retries, backoff and what to do
 * with each outcome are decided by the programs (see src/domain/Retry.ts). Every request carries the
 * Bearer token; the token never appears in an error.
 *
 * CONTRACT ONLY for now: the live layer (@effect/platform HttpClient on undici, keep-alive pool,
 * tracer propagation off) is built with the delivery issue.
 */
import { Context, Data, type Effect } from "effect"

/** The request never got an HTTP answer. */
export class TransportError extends Data.TaggedError("TransportError")<{
  readonly url: string
  readonly reason: "dns" | "refused" | "reset" | "timeout" | "tls" | "other"
  readonly message: string
}> {}

/** An HTTP answer other than the expected success status. */
export class HttpStatusError extends Data.TaggedError("HttpStatusError")<{
  readonly url: string
  readonly status: number
  /** From `Retry-After` (seconds or HTTP date), when present. */
  readonly retryAfterMs?: number | undefined
  /** The start of the body, for messages (a few hundred characters, one line). */
  readonly bodyExcerpt: string
  readonly message: string
}> {}

/** A success status with a body that is not what the API promises (bad JSON, wrong shape). */
export class BadResponseError extends Data.TaggedError("BadResponseError")<{
  readonly url: string
  readonly message: string
}> {}

export type ApiError = TransportError | HttpStatusError | BadResponseError

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
