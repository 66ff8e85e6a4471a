/**
 * The delivery policy, as a value, and what it makes of one event's answer (SPEC section 5, issue 22).
 *
 * - `skip` (the default, as the vendor asks: the stock plugin advances whatever the service answers): an
 *   event the service answered with anything but 201 is counted and never sent again; a service fault
 *   (5xx, 429, 408, a connection reset, no answer before the deadline) gets at most two quick retries first,
 *   and an event is tried at most MAX_TRIES times in all, across runs.
 * - `at-least-once` (for one's own collector): a service fault is retried within the run's budget; the
 *   checkpoint stays until the event is answered.
 *
 * Under both, the checkpoint stays for the next run (bounded by --max-age) when the service cannot be
 * reached at all, or when what answers is not the API (an HTML page, a redirect, 404/405, 401/403): a
 * captive portal or a wrong URL never eats events. 400/413/422 reject the one event under both.
 *
 * Pure: the clock readings, the budget left and the jitter are passed in.
 */
import { type AnswerKind, ofError } from "./Answer.js"
import type { ApiError } from "./ApiError.js"
import { backoffMs, type RetryPolicy } from "./Retry.js"

export const DELIVERY_POLICIES = ["skip", "at-least-once"] as const
export type DeliveryPolicy = (typeof DELIVERY_POLICIES)[number]
export const DEFAULT_DELIVERY: DeliveryPolicy = "skip"

export const isDeliveryPolicy = (s: string): s is DeliveryPolicy => (DELIVERY_POLICIES as ReadonlyArray<string>).includes(s)

/** Attempts on one event, in all and across runs, under `skip`. */
export const MAX_TRIES = 3
/** Re-sends of an event that timed out, in one run (both policies). */
export const MAX_TIMEOUT_RESENDS = 2
/** The longest quick retry under `skip`: a Retry-After longer than this skips the event at once. */
export const QUICK_WAIT_MAX_MS = 5_000

/** What became of an event: its answer counted in the ledger. */
export type Settled = "sent" | "rejected" | "skipped"

export type Next =
  | { readonly next: "settled"; readonly as: Settled }
  /** Send again after `delayMs`. */
  | { readonly next: "retry"; readonly delayMs: number }
  /** End the run; the checkpoint stays before this event. `kind` says why. */
  | { readonly next: "stop"; readonly kind: AnswerKind; readonly spent: boolean }

export interface Attempt {
  readonly policy: DeliveryPolicy
  readonly retry: RetryPolicy
  /** The failure of the attempt just made. */
  readonly error: ApiError
  /** Attempts on this event in this run, the one just made included (≥ 1). */
  readonly attempts: number
  /** Of them, attempts that timed out. */
  readonly timeouts: number
  /** Attempts made on this event by earlier runs (remembered at the checkpoint). */
  readonly earlier: number
  /** The run's retry budget left, milliseconds. */
  readonly budgetLeftMs: number
  /** In [0, 1): spreads the waits of events failing together. */
  readonly jitter: number
}

/** Whether the attempt reached the service and it failed the request (counted in an event's tries). */
export const reachedService = (e: ApiError): boolean => {
  if (e._tag === "TransportError") return e.reason === "timeout" || e.reason === "reset"
  return ofError(e) === "service-fault"
}

/** The backoff before the next attempt: exponential with ±20% jitter, at least a Retry-After. */
const waitFor = (a: Attempt): number => {
  const base = backoffMs(a.retry, a.attempts - 1) * (0.8 + 0.4 * a.jitter)
  const after = a.error._tag === "HttpStatusError" ? a.error.retryAfterMs : undefined
  return Math.round(after === undefined ? base : Math.max(base, after))
}

/** What to do after a failed attempt on one event. */
export const decide = (a: Attempt): Next => {
  const kind = ofError(a.error)
  if (kind === "rejected") return { next: "settled", as: "rejected" }
  if (kind === "token-refused" || kind === "wrong-url") return { next: "stop", kind, spent: false }
  const delayMs = waitFor(a)
  const fits = delayMs <= a.budgetLeftMs
  const timedOut = a.error._tag === "TransportError" && a.error.reason === "timeout"
  // An overloaded service may store each event it answers too late: re-sent at most twice a run.
  const timeoutsSpent = timedOut && a.timeouts > MAX_TIMEOUT_RESENDS
  if (a.policy === "skip" && reachedService(a.error)) {
    const tries = a.earlier + a.attempts
    if (tries >= MAX_TRIES || timeoutsSpent || delayMs > QUICK_WAIT_MAX_MS || !fits) return { next: "settled", as: "skipped" }
    return { next: "retry", delayMs }
  }
  if (timeoutsSpent) return { next: "stop", kind, spent: true }
  return fits ? { next: "retry", delayMs } : { next: "stop", kind, spent: true }
}

/** How the summary names the policy. */
export const policyWords = (p: DeliveryPolicy): string =>
  p === "skip" ? "delivery: skip (events the service fails are not sent again)" : "delivery: at-least-once"
