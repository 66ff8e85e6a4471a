/**
 * What to do after a failed request (SPEC section 5), as data and as an Effect `Schedule`:
 * service faults (network errors, 408, 429, 5xx, a success status other than the API's, a redirect, an answer
 * that is not the API's) are retried with exponential backoff and jitter [0.5 s → 30 s], honouring
 * `Retry-After`, within a budget of wall-clock time spent in trouble [2 min a run]; 401/403 stop the run;
 * 400/413/422 reject that one event; 404/405 mean a wrong URL (the caller stops, see `classify`). Pure: the budget's clock readings are passed in by the schedule's driver.
 */
import { Clock, Duration, Effect, Schedule } from "effect"
import { ofError } from "./Answer.js"
import type { ApiError } from "./ApiError.js"
import { formatSpan } from "./Duration.js"

/**
 * `retry`: a service fault, tried again (network errors, 408, 429, 5xx, any other 2xx or 3xx, other 4xx, an
 * answer that is not the API's); `refused`: 401/403, the token; `reject`: 400/413/422, this one event is
 * refused and the run goes on; `misrouted`: 404/405, no such endpoint here (a wrong `--base-url`).
 */
export type Outcome = "retry" | "refused" | "reject" | "misrouted"

/**
 * How a failed request is handled, from the one reading of replies (./Answer.ts). Success is the API's own
 * status (201, or 200 for the GETs) and nothing else.
 */
export const classify = (e: ApiError): Outcome => {
  switch (ofError(e)) {
    case "token-refused":
      return "refused"
    case "rejected":
      return "reject"
    case "wrong-url":
      return "misrouted"
    default:
      return "retry"
  }
}

/** `Retry-After`: delta seconds or an HTTP date; milliseconds from `now`, never negative. */
export const parseRetryAfter = (value: string | undefined, now: number): number | undefined => {
  if (value === undefined) return undefined
  const v = value.trim()
  if (/^\d+$/.test(v)) return Math.min(Number(v), 86_400) * 1000
  if (!/[a-z]/i.test(v)) return undefined
  const t = Date.parse(v)
  return Number.isNaN(t) ? undefined : Math.max(0, t - now)
}

export interface RetryPolicy {
  /** First backoff [500 ms]. */
  readonly baseMs: number
  /** Longest backoff [30 s]. */
  readonly capMs: number
  /** Wall-clock time a run may spend in trouble [2 min]. */
  readonly budgetMs: number
}

export const defaultPolicy: RetryPolicy = { baseMs: 500, capMs: 30_000, budgetMs: 120_000 }

/** Backoff before attempt `n + 1` (n ≥ 0 failures so far) without jitter. */
export const backoffMs = (policy: RetryPolicy, n: number): number =>
  Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(n, 30))

/**
 * Time in trouble over a run: trouble starts at a failure when none is open and ends at the next success;
 * closed periods add up. Mutable but pure (the caller passes the clock).
 */
export class RetryBudget {
  private spent = 0
  private openedAt: number | undefined
  /** Waits since the last success: the next attempt is `waits + 1`. */
  waits = 0
  constructor(readonly budgetMs: number) {}

  failed(now: number): void {
    if (this.openedAt === undefined) this.openedAt = now
  }

  succeeded(now: number): void {
    if (this.openedAt !== undefined) this.spent += Math.max(0, now - this.openedAt)
    this.openedAt = undefined
    this.waits = 0
  }

  /** Time in trouble so far, the open period included. */
  used(now: number): number {
    return this.spent + (this.openedAt === undefined ? 0 : Math.max(0, now - this.openedAt))
  }

  /** Whether a wait of `delayMs` from `now` stays within the budget. */
  allows(now: number, delayMs: number): boolean {
    return this.used(now) + delayMs <= this.budgetMs
  }
}

/**
 * The retry schedule for one request, sharing `budget` with the run's other requests. Its input is the
 * request's error; it stops on anything but a retryable error and when the wait would overdraw the budget,
 * and runs `beforeWait(delayMs, error)` before each wait (send-events persists its checkpoint there).
 * Jitter comes from Effect's Random service, time from its Clock (tests use TestClock and a seeded Random).
 */
export const schedule = <R = never>(opts: {
  readonly policy?: RetryPolicy
  readonly budget: RetryBudget
  readonly beforeWait?: (delayMs: number, e: ApiError, wait: RetryWait) => Effect.Effect<void, never, R>
}): Schedule.Schedule<Duration.Duration, ApiError, R> => {
  const policy = opts.policy ?? defaultPolicy
  const delays = Schedule.exponential(Duration.millis(policy.baseMs), 2).pipe(
    Schedule.jittered,
    Schedule.intersect(Schedule.identity<ApiError>()),
    Schedule.modifyDelay(([, e], d) => {
      const capped = Math.min(policy.capMs, Duration.toMillis(d))
      const after = e._tag === "HttpStatusError" ? e.retryAfterMs : undefined
      return Duration.millis(after === undefined ? capped : Math.max(capped, after))
    }),
    Schedule.whileInput((e: ApiError) => classify(e) === "retry"),
    Schedule.delays
  )
  return Schedule.checkEffect(delays, (e: ApiError, d: Duration.Duration) =>
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      opts.budget.failed(now)
      const ms = Duration.toMillis(d)
      if (!opts.budget.allows(now, ms)) return false
      opts.budget.waits++
      const wait = { delayMs: ms, attempt: opts.budget.waits + 1, remainingMs: opts.budget.budgetMs - opts.budget.used(now) }
      if (opts.beforeWait !== undefined) yield* opts.beforeWait(ms, e, wait)
      return true
    })
  )
}

/** One wait of a retry schedule, as the operator is told about it. */
export interface RetryWait {
  readonly delayMs: number
  /** The attempt the wait leads to (the first retry is attempt 2). */
  readonly attempt: number
  /** Budget left when the wait starts. */
  readonly remainingMs: number
}

/** `retrying in 4 s (attempt 3), giving up in 1m 40s`: said once per wait, so a silent minute is explained. */
export const retryWaitLine = (w: RetryWait): string =>
  `retrying in ${formatSpan(w.delayMs)} (attempt ${w.attempt}), giving up in ${formatSpan(Math.max(0, w.remainingMs))}`

/**
 * The longest a retried request can take in all [2 min 20 s at the defaults]: the first attempt, then at most
 * the budget in trouble, then the attempt in flight when it ran out (each attempt has its own deadline,
 * `attemptMs`), and 10 s for loading the HTTP stack on a slow box. Commands that retry (send-heartbeat, rules
 * update) bound their run with it, so a fault no one foresaw still ends the run instead of holding it.
 */
export const runDeadlineMs = (policy: RetryPolicy, attemptMs: number): number => policy.budgetMs + 2 * attemptMs + 10_000
