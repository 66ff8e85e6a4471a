/**
 * `sensor-info` (SPEC section 7): asks the service for this sensor's license record and answers with exactly
 * one JSON object: `{"status":"ok", ...service fields}`, `{"status":"failed","response":"<cause>"}` or
 * `{"status":"unconfigured"}`. Never fails: every fault becomes a `failed` answer naming its cause (DNS,
 * refused, TLS, timeout, HTTP status with a body excerpt, bad JSON). The answer is kept in the agent state.
 */
import { Clock, Effect } from "effect"
import { Output } from "../../adapters/Output.js"
import { Credentials, isUnconfigured, type TokenError } from "../../adapters/Credentials.js"
import { StateStore } from "../../adapters/StateStore.js"
import * as TelemetryApi from "../../adapters/TelemetryApi.js"
import type { AgentState } from "../../domain/AgentState.js"
import { type ApiError, BadResponseError, TransportError } from "../../domain/ApiError.js"
import { decodeSensorInfo } from "../../domain/ServiceAnswer.js"
import { redact, redactDeep } from "../../domain/Token.js"
import { printable } from "../../domain/Widget.js"
import { line } from "../Failure.js"
import type { ApiOptions } from "./SensorInfoOptions.js"

export type { ApiOptions } from "./SensorInfoOptions.js"

/** Why an answer is `failed`, for the exit code and for `status` deciding whether to fall back. */
export type FailureKind = "transport" | "http4xx" | "refused" | "http5xx" | "bad-response" | "config" | "internal"

export interface SensorInfoOutcome {
  /** When it was asked (epoch ms). */
  readonly at: number
  /** The JSON object `sensor-info` prints. */
  readonly result: Record<string, unknown>
  readonly failure?: FailureKind | undefined
  /** For stderr, never the token (e.g. the token had stray whitespace and was trimmed). */
  readonly warnings: ReadonlyArray<string>
}

const LABEL: Record<TransportError["reason"], string> = {
  dns: "DNS",
  refused: "connection refused",
  reset: "connection reset",
  timeout: "timeout",
  tls: "TLS",
  other: "network error"
}

const NOT_UNDERSTOOD = "answer not understood"

/** The cause of a failed request, in one line naming its kind. */
export const describeApiError = (e: ApiError): { reason: string; kind: FailureKind } => {
  switch (e._tag) {
    case "TransportError":
    {
      const label = LABEL[e.reason]
      const named = e.message.toLowerCase().includes(label.toLowerCase())
      return { reason: named ? e.message : `${label}: ${e.message}`, kind: "transport" }
    }
    case "HttpStatusError": {
      const kind: FailureKind = e.status === 401 || e.status === 403
        ? "refused"
        : e.status >= 400 && e.status < 500
        ? "http4xx"
        : "http5xx"
      const body = e.bodyExcerpt === "" ? "" : `: ${printable(e.bodyExcerpt)}`
      return { reason: `HTTP ${e.status} from ${e.url}${body}`, kind }
    }
    case "BadResponseError":
      // A decoded answer that is not understood says so in its own words (issue 24 row 9).
      return { reason: e.message.startsWith(NOT_UNDERSTOOD) ? e.message : `bad JSON: ${printable(e.message)}`, kind: "bad-response" }
  }
}

/** `ok` answers: the service's fields, with `status` first and always "ok". */
const okResult = (fields: Record<string, unknown>): Record<string, unknown> => {
  const { status: _ignored, ...rest } = fields
  return { status: "ok", ...rest }
}

/** Asks the service; never fails. */
export const querySensorInfo = (o: ApiOptions): Effect.Effect<SensorInfoOutcome, never, Credentials | TelemetryApi.TelemetryApi> =>
  Effect.catchAllDefect(ask(o), (d) =>
    Effect.map(Clock.currentTimeMillis, (at): SensorInfoOutcome => ({
      at,
      result: { status: "failed", response: `internal error: ${String(d).split("\n")[0]}` },
      failure: "internal",
      warnings: []
    }))
  )

const ask = (o: ApiOptions): Effect.Effect<SensorInfoOutcome, never, Credentials | TelemetryApi.TelemetryApi> =>
  Effect.gen(function* () {
    const token = yield* Effect.either(Effect.flatMap(Credentials, (c) => c.token))
    if (token._tag === "Left") {
      const at = yield* Clock.currentTimeMillis
      const e: TokenError = token.left
      return isUnconfigured(e)
        ? { at, result: { status: "unconfigured" }, warnings: [] }
        : { at, result: { status: "failed", response: e.message }, failure: "config" as const, warnings: [] }
    }
    const { token: secret, warnings } = token.right
    const request = Effect.flatMap(TelemetryApi.TelemetryApi, (api) => api.sensorInfo).pipe(
      // The adapter times each request out; this bounds everything else (loading the HTTP stack included).
      Effect.timeoutFail({
        duration: o.timeoutMs * 2 + 1000,
        onTimeout: () =>
          new TransportError({
            url: o.baseUrl,
            reason: "timeout",
            message: `no answer in ${o.timeoutMs * 2 + 1000} ms from ${o.baseUrl}`
          })
      }),
      // Decoded, not trusted (issue 24 row 9): nesting bounded, only the known fields kept, each of its type.
      // What is kept is printed, stored and served: scrubbed of the token first (issue 15 row 12).
      Effect.flatMap((answer): Effect.Effect<Omit<SensorInfoOutcome, "at" | "warnings">, BadResponseError> => {
        const decoded = decodeSensorInfo(answer)
        return "error" in decoded
          ? Effect.fail(new BadResponseError({ url: `${o.baseUrl.replace(/\/+$/, "")}/api/v1/sensorinfo`, message: decoded.error }))
          : Effect.succeed({ result: okResult(redactDeep(decoded.fields, secret) as Record<string, unknown>) })
      }),
      Effect.catchAll((e) => {
        const { reason, kind } = describeApiError(e)
        return Effect.succeed({ result: { status: "failed", response: redact(reason, secret) }, failure: kind })
      }),
      Effect.catchAllDefect((d) =>
        Effect.succeed({
          result: { status: "failed", response: redact(`internal error: ${String(d).split("\n")[0]}`, secret) },
          failure: "internal" as const
        })
      )
    )
    const answer = yield* request
    const at = yield* Clock.currentTimeMillis
    return { at, warnings, ...answer }
  })

/** The state after recording an answer: the last one always, the last `ok` one separately. */
export const withSensorInfo = (s: AgentState, o: SensorInfoOutcome): AgentState => {
  const record = { at: o.at, result: o.result }
  return o.result["status"] === "ok" ? { ...s, lastSensorInfo: record, lastSensorInfoOk: record } : { ...s, lastSensorInfo: record }
}

/** Records the answer; a state file that cannot be written gives a warning, never a failure. */
export const recordSensorInfo = (
  o: SensorInfoOutcome
): Effect.Effect<{ readonly state?: AgentState; readonly warning?: string }, never, StateStore> =>
  Effect.flatMap(StateStore, (store) => store.modify((s) => withSensorInfo(s, o))).pipe(
    Effect.map((l) => ({ state: l.state })),
    Effect.catchAll((e) => Effect.succeed({ warning: e.message }))
  )

/** The whole command: ask, record, print one JSON line. */
export const sensorInfoProgram = (o: ApiOptions) =>
  Effect.gen(function* () {
    const out = yield* Output
    const outcome = yield* querySensorInfo(o)
    for (const w of outcome.warnings) yield* out.err(line("sensor-info", `warning: ${w}`))
    const recorded = yield* recordSensorInfo(outcome)
    if (recorded.warning !== undefined) yield* out.err(line("sensor-info", `warning: ${recorded.warning}`))
    yield* out.out(JSON.stringify(outcome.result) + "\n")
    return outcome
  })
