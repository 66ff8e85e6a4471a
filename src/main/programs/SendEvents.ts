/**
 * `send-events`: one delivery run (SPEC sections 4 and 5). Takes the run lock, resumes every eve file from
 * its checkpoint (a first run looks back `--max-age`), reads new complete lines with the EveLog adapter,
 * selects and sanitises alerts exactly as `dump --parsed` prints them, and POSTs them [4] in flight.
 *
 * The run's bookkeeping is a pure state machine (src/domain/DeliveryRun.ts: lines → events → answers →
 * checkpoint, counted once); what to do after each answer is the delivery policy's (src/domain/Delivery.ts:
 * `skip`, the default, or `at-least-once`). This file drives them as one Effect Stream over the EveLog,
 * StateStore and TelemetryApi services: each event is one step (its retries included), a bounded number in
 * flight, batches as the reader gives them, so memory does not grow with the backlog. The checkpoint is
 * written at least every second while delivering and before every backoff wait, so a crash re-sends at most
 * what was in flight or answered in the last second. Budgets are measured on the Clock's monotonic reading
 * (`currentTimeNanos`): a wall-clock step does not stretch them.
 *
 * Cheap when there is nothing new: the files' sizes are checked against the checkpoint before the
 * sanitiser's inputs are read or the HTTP stack is loaded (the live TelemetryApi builds its client at its first call).
 */
import { Clock, Duration, Effect, Option, Random, Schedule, Stream } from "effect"
import type { AuditLogService } from "../../adapters/AuditLog.js"
import { Credentials, type TokenError } from "../../adapters/Credentials.js"
import { EveLog, type EveLogError } from "../../adapters/EveLog.js"
import { Output } from "../../adapters/Output.js"
import { Progress } from "../../adapters/Progress.js"
import { observeLog } from "./ObserveLog.js"
import { DeliveryFailed, stopped, TokenRefused, type WrongBaseUrl } from "./DeliveryStop.js"
import { type StateError, StateStore } from "../../adapters/StateStore.js"
import { TelemetryApi } from "../../adapters/TelemetryApi.js"
import type { ApiError } from "../../domain/ApiError.js"
import type { AgentState, Counters, TaskResult } from "../../domain/AgentState.js"
import { addCounters, ledgerSummary, mergeHourly, nulBytesNote, zeroCounters as zero } from "../../domain/DeliveryLedger.js"
import { checkpointsFor, hasNewBytes, keptCheckpoints, planRead, type PlannedFile } from "../../domain/Checkpoint.js"
import { DEFAULT_DELIVERY, decide, type DeliveryPolicy, type Next, reachedService, type Settled } from "../../domain/Delivery.js"
import { type Commit, DeliveryRun, type Event } from "../../domain/DeliveryRun.js"
import { formatDuration } from "../../domain/Duration.js"
import { defaultPolicy, RetryBudget, type RetryPolicy, retryWaitLine } from "../../domain/Retry.js"
import { ALERT_NEEDLE, makeOutbound } from "../../domain/Outbound.js"
import { sendingCount } from "../../domain/ProgressLine.js"
import { auditLine } from "../../domain/AuditRecord.js"
import { line } from "../Failure.js"
import type { Privacy, PrivacyConfigError } from "../Privacy.js"
import type { SendEventsOptions } from "./SendEventsOptions.js"

const CMD = "send-events"
/** Rejected and skipped events logged one by one; the rest are counted. */
const LOG_REJECTIONS = 10

export { DeliveryFailed, TokenRefused }

/** A delivery run's input: fields of send-events' options Schema (./SendEventsOptions.ts), and what the wiring adds. */
export type SendEventsRun = Pick<SendEventsOptions, "maxAgeMs" | "direct"> &
  Partial<Pick<SendEventsOptions, "delivery">> & {
    /** The eve log directory or file (resolved under `--root`). */
    readonly log: string
    /** Upper bound of the spread delay [60 s]. */
    readonly spreadMs?: number
    /** Requests in flight [4]. */
    readonly concurrency?: number
    readonly policy?: RetryPolicy
    /** Checkpoint write interval while delivering [1 s]. */
    readonly persistEveryMs?: number
    /** Loads HOME_NET, interfaces and SIDs; only run when there is something new to read. */
    readonly privacy: Effect.Effect<Privacy, string | PrivacyConfigError>
    /** Keeps the acknowledged bodies (audit lines), appended with each checkpoint write; absent: `--no-audit`. */
    readonly audit?: Pick<AuditLogService, "append">
    /** Say the token's warnings (a value trimmed, ...) [true]; `run` says them once, not every minute. */
    readonly tokenWarnings?: boolean
  }

export interface SendSummary {
  readonly outcome: "locked" | "nothing-new" | "delivered"
  readonly counters: Counters
  /** The policy the run delivered under. */
  readonly delivery?: DeliveryPolicy
  readonly files: number
}

const SENT = Effect.succeed({ as: "sent" as Settled })

/** The Clock's monotonic reading, in milliseconds: budgets and deadlines, never timestamps. */
const monotonicMillis = Effect.map(Clock.currentTimeNanos, (n) => Number(n / 1_000_000n))

export const sendEvents = (opts: SendEventsRun) =>
  Effect.gen(function* () {
    const store = yield* StateStore
    const out = yield* Output
    const eve = yield* EveLog
    const api = yield* TelemetryApi
    // Read (and checked) before anything else: no token, no run (exit 2); its file names the refusal message.
    const token = yield* Effect.flatMap(Credentials, (c) => c.token)
    if (opts.tokenWarnings !== false) for (const w of token.warnings) yield* out.err(line(CMD, `warning: ${w}`))

    if (!(yield* store.runLock(CMD))) {
      yield* out.err(line(CMD, `another send-events run is in progress (lock beside ${store.path}); nothing to do`))
      return { outcome: "locked", counters: zero(), files: 0 } satisfies SendSummary
    }

    const startedAt = yield* Clock.currentTimeMillis
    const loaded = yield* store.load
    if (loaded.problem !== undefined) yield* out.err(line(CMD, `warning: ${loaded.problem}`))
    const lookBack = opts.maxAgeMs === undefined ? "everything (--max-age off)" : `the last ${formatDuration(opts.maxAgeMs)}`
    if (loaded.status !== "ok") {
      yield* out.err(line(CMD, `no checkpoint yet (first run): sending alerts from ${lookBack}`))
    }

    const listing = yield* observeLog(CMD, eve, opts.log, out.err)
    const plans = planRead(listing.files, loaded.state.files)
    // Checkpoints no file matched: forgotten only when the file is really gone (a `--log FILE` run keeps the rest).
    const unmatched = keptCheckpoints(loaded.state.files, plans, { log: opts.log, listed: listing.files, settled: listing.stable })

    if (!hasNewBytes(plans)) {
      // Only tidies the file list (renamed paths, deleted files); lastSend keeps the last delivery.
      const files = [...checkpointsFor(plans, (p) => p.start), ...unmatched]
      yield* store.modify((s) => ({ ...s, files }))
      return { outcome: "nothing-new", counters: zero(), files: plans.length } satisfies SendSummary
    }

    // A configuration error (bad --home-net, unreadable SID file) keeps its exit code 2.
    const privacy = yield* opts.privacy.pipe(Effect.mapError((m) => (typeof m === "string" ? new DeliveryFailed({ message: m }) : m)))
    for (const w of privacy.warnings) yield* out.err(line(CMD, `warning: ${w}`))
    const outbound = makeOutbound(privacy)
    const step = (l: string) => outbound.line(l, notBefore)
    const notBefore = opts.maxAgeMs === undefined ? undefined : startedAt - opts.maxAgeMs
    const progress = yield* Progress // a backlog on a terminal shows a progress line (silent elsewhere)
    const delivery = opts.delivery ?? DEFAULT_DELIVERY
    const retry = opts.policy ?? defaultPolicy
    const memory = loaded.state.delivery
    const run = new DeliveryRun(plans, unmatched, memory?.tried ?? [])
    // The deadline an earlier run learned from a slow service (issue 24 row 6); dropped after a run without timeouts.
    if (memory?.deadlineMs !== undefined) api.deadline?.learn(memory.deadlineMs)
    let timedOut = false

    const persistLock = yield* Effect.makeSemaphore(1)
    /**
     * Writes what the run has done and not yet written; `result` also sets lastSend. `resultOnly`: just
     * lastSend (a refused token with nothing answered: the lines will be read, and counted, again).
     */
    const persist = (result?: TaskResult, resultOnly = false) =>
      persistLock.withPermits(1)(
        Effect.gen(function* () {
          if (resultOnly && result !== undefined) {
            yield* store.modify((s) => ({ ...s, lastSend: result }))
            return
          }
          if (!run.dirty && result === undefined) return
          const c: Commit = run.commit()
          const now = yield* Clock.currentTimeMillis
          // Kept until a run ends without a timeout (a crash mid-run keeps what was learned).
          const deadlineMs = timedOut ? api.deadline?.current() : result === undefined ? memory?.deadlineMs : undefined
          const learned = { ...(deadlineMs === undefined ? {} : { deadlineMs }), ...(c.tried.length === 0 ? {} : { tried: c.tried }) }
          yield* store.modify((s) => {
            const { delivery: _, ...rest } = s
            const base: AgentState = {
              ...rest,
              ...(Object.keys(learned).length === 0 ? {} : { delivery: learned }),
              files: c.files,
              counters: addCounters(s.counters, c.delta),
              hourly: mergeHourly(s.hourly, c.hours, now)
            }
            return result === undefined ? base : { ...base, lastSend: result }
          }).pipe(Effect.tapError(() => Effect.sync(() => run.notCommitted(c))))
          run.committed(c)
          // What was acknowledged goes on record with the checkpoint that covers it: one write, no extra cost.
          // Not kept on record is said, not fatal: the bodies were delivered and the checkpoint is written.
          if (c.audit.length > 0 && opts.audit !== undefined) {
            yield* opts.audit.append(c.audit).pipe(Effect.catchAll((e) => out.err(line(CMD, `warning: ${e.message}`))))
          }
        })
      )

    // The writes made while delivering (every second, before each backoff wait): a failure (the state lock busy
    // for 5 s, a full disk) is said once and retried at the next one; the final write reports for real. Until the
    // service has answered once there is no progress to keep, and a first answer that refuses the token must
    // leave the checkpoint exactly as it was.
    let persistWarned = false
    const persistQuietly = Effect.suspend(() => (run.answered === 0 ? Effect.void : persist())).pipe(
      Effect.catchAll((e) =>
        persistWarned
          ? Effect.void
          : Effect.zipRight(Effect.sync(() => void (persistWarned = true)), out.err(line(CMD, `warning: checkpoint not written, will retry: ${e.message}`)))
      )
    )

    // A file is read only if its path still holds the planned file when opened (`expect`): logrotate may rename
    // it while older files are delivered. Skipped, it keeps its checkpoint and is found by its fingerprint next run.
    let nulBytes = 0 // said once at the end (issue 24 row 2)
    const readEvents = (plan: PlannedFile, file: number): Stream.Stream<Array<Event>, EveLogError> =>
      Stream.suspend(() => {
        run.open(file)
        let readTo = plan.start
        return eve.read(plan.path, { start: plan.start, prefilter: ALERT_NEEDLE, expect: plan }).pipe(
          // Deleted, or no longer a log, while we were about to read it: found or forgotten next run.
          Stream.catchAll((e) => (e.reason === "NotFound" || e.reason === "NotALog" ? Stream.empty : Stream.fail(e))),
          Stream.mapEffect((batch) =>
            Effect.map(Clock.currentTimeMillis, (now) => {
              const events = run.read(file, batch, readTo, now, step)
              readTo = batch.end
              nulBytes += batch.nulBytes
              return events
            })
          )
        )
      })

    const budget = new RetryBudget(retry.budgetMs)
    // The spread delay is waited once, before the first events go (a run with nothing to send never waits).
    const spreadMs = opts.direct ? 0 : opts.spreadMs ?? 60_000
    const ready = yield* Effect.cached(
      spreadMs > 0 ? Effect.flatMap(Random.nextIntBetween(0, spreadMs + 1), (wait) => Effect.sleep(wait)) : Effect.void
    )

    /** One event, one step: attempts until the policy settles it (sent, rejected, skipped) or stops the run. */
    const attempt = (ev: Event, n: number, timeouts: number): Effect.Effect<{ as: Settled; error?: ApiError }, TokenRefused | DeliveryFailed | WrongBaseUrl> =>
      Effect.matchEffect(api.postEvent(ev.json), {
        onSuccess: () => SENT,
        onFailure: (error) =>
          Effect.gen(function* () {
            const now = yield* monotonicMillis
            budget.failed(now)
            const t = timeouts + (error._tag === "TransportError" && error.reason === "timeout" ? 1 : 0)
            if (t > timeouts) timedOut = true
            if (reachedService(error)) run.tried(ev, n)
            const next: Next = decide({
              policy: delivery, retry, error, attempts: n, timeouts: t, earlier: ev.earlier,
              budgetLeftMs: retry.budgetMs - budget.used(now), jitter: yield* Random.next
            })
            if (next.next === "settled") return { as: next.as, error }
            if (next.next === "stop") return yield* Effect.fail(stopped(next.kind, error, { token, answered: run.answered, usedMs: budget.used(now) }))
            const said = retryWaitLine({ delayMs: next.delayMs, attempt: ++budget.waits + 1, remainingMs: retry.budgetMs - budget.used(now) })
            yield* persistQuietly
            yield* out.err(line(CMD, said))
            yield* Effect.sleep(Duration.millis(next.delayMs))
            return yield* attempt(ev, n + 1, t)
          })
      })

    let logged = 0
    const said = (as: Settled, e: ApiError) => {
      const n = logged++
      const word = as === "rejected" ? "event rejected" : "event skipped (not sent again)"
      if (n < LOG_REJECTIONS) return out.err(line(CMD, `${word}: ${e.message}`))
      return n === LOG_REJECTIONS ? out.err(line(CMD, "further rejected or skipped events are counted, not logged")) : Effect.void
    }
    const drawn = () => sendingCount(run.answered, run.counters.selected, run.bytesRead, run.plannedBytes)
    // Per event the fewest steps (a backlog posts thousands): the post, one match, the ledger's step, on the
    // clock read synchronously.
    const deliver = (ev: Event) =>
      Effect.flatMap(attempt(ev, 1, 0), (r) =>
        Effect.clockWith((clock) => {
          const now = clock.unsafeCurrentTimeMillis()
          if (r.as !== "skipped") budget.succeeded(Number(clock.unsafeCurrentTimeNanos() / 1_000_000n))
          run.settle(ev, r.as, now, r.as === "sent" && opts.audit !== undefined ? auditLine(now, ev.json) : undefined)
          return r.error === undefined ? progress.update(drawn) : Effect.zipRight(said(r.as, r.error), progress.update(drawn))
        })
      )
    // [4] workers per batch read, each taking the next event: bounded in flight, no fiber per event, and
    // memory is one batch of the reader and the requests in flight, whatever the backlog.
    const inFlight = opts.concurrency ?? 4
    const deliverAll = (events: ReadonlyArray<Event>) => {
      if (events.length === 0) return Effect.void
      let next = 0
      const worker = Effect.whileLoop({ while: () => next < events.length, body: () => deliver(events[next++]!), step: () => undefined })
      const workers = Array.from({ length: Math.min(inFlight, events.length) }, () => worker)
      return Effect.zipRight(ready, Effect.all(workers, { concurrency: "unbounded", discard: true }))
    }

    // On a fixed cadence (not "a second after the last write finished"), so writes are at most a second apart.
    yield* Effect.forkScoped(persistQuietly.pipe(Effect.repeat(Schedule.fixed(opts.persistEveryMs ?? 1000))))

    const delivering = Stream.fromIterable(plans.map((p, i) => [p, i] as const)).pipe(
      Stream.flatMap(([p, i]) => (p.size > p.start ? readEvents(p, i) : Stream.empty)),
      Stream.runForEach(deliverAll),
      // No spans per request (nothing exports them, and they cost more than the rest of a request).
      Effect.withTracerEnabled(false)
    )

    // Interrupted (SIGTERM in `run` past its grace): keep what was answered, so only requests actually in
    // flight are sent again, not up to a second's worth.
    const result = yield* Effect.either(delivering.pipe(Effect.onInterrupt(() => persistQuietly), Effect.ensuring(progress.clear)))
    const finishedAt = yield* Clock.currentTimeMillis
    const summary = ledgerSummary(run.counters, opts.maxAgeMs)
    if (nulBytes > 0) yield* out.err(line(CMD, nulBytesNote(nulBytes)))
    if (result._tag === "Left") {
      const e = result.left
      // A refused token or a wrong URL with nothing answered leaves the checkpoint exactly as it was.
      const keep = (e._tag === "TokenRefused" || e._tag === "WrongBaseUrl") && run.answered === 0
      yield* persist({ at: finishedAt, ok: false, message: `${e.message} (${summary})` }, keep)
      return yield* Effect.fail(e)
    }
    yield* persist({ at: finishedAt, ok: true, message: summary })
    yield* out.err(line(CMD, delivery === DEFAULT_DELIVERY ? summary : `${summary} (delivery: ${delivery})`))
    return { outcome: "delivered", counters: { ...run.counters }, files: plans.length, delivery } satisfies SendSummary
  })

export type SendEventsError = TokenRefused | DeliveryFailed | StateError | EveLogError | TokenError

/** For `run` and tests: Option of the stored checkpoint of a path. */
export const checkpointOf = (state: AgentState, path: string) => Option.fromNullable(state.files.find((f) => f.path === path))
