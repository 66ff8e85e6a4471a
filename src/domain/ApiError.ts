/**
 * How a call to the telemetry API can fail (SPEC section 5), as values: the HTTP adapter creates them, the
 * retry policy (./Retry.ts) and the programs decide what each means. No message carries the token.
 */
import { Data } from "effect"

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
