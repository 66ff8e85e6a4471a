/**
 * `send-events`: one delivery run (SPEC sections 4 and 5). Takes the run lock, resumes every eve file from
 * its checkpoint (a first run looks back `--max-age`), reads new complete lines with the EveLog adapter,
 * selects and sanitises alerts exactly as `dump --parsed` prints them, and POSTs them [4] in flight with
 * retries per src/domain/Retry.ts. A file's checkpoint moves only past events acknowledged (or rejected
 * with a 4xx) contiguously; it is written at least every second while delivering and before every backoff
 * wait, so a crash re-sends at most what was in flight or acknowledged in the last second.
 *
 * Cheap when there is nothing new: the files' sizes are checked against the checkpoint before the
 * sanitiser's inputs are read or the HTTP stack is loaded (the live TelemetryApi builds its client at its first call).
 * Asks for its services (TelemetryApi, Credentials, StateStore, EveLog, Output); the callers choose the layers.
 */
import { Clock, Data, Duration, Effect, Option, Random, Schedule, Stream } from "effect"
import type { AuditLogService } from "../../adapters/AuditLog.js"
import { Credentials, type TokenError } from "../../adapters/Credentials.js"
import { EveLog, type EveLogError } from "../../adapters/EveLog.js"
import { Output } from "../../adapters/Output.js"
import { Progress } from "../../adapters/Progress.js"
import { type StateError, StateStore } from "../../adapters/StateStore.js"
import { TelemetryApi } from "../../adapters/TelemetryApi.js"
import type { ApiError } from "../../domain/ApiError.js"
import type { AgentState, Counters, HourBucket, TaskResult } from "../../domain/AgentState.js"
import { addBuckets, addCounters, type BucketKey, bumpHour, ledgerSummary, countBatch, mergeHourly, PendingCounts, subCounters, zeroCounters as zero } from "../../domain/DeliveryLedger.js"
import { AckTracker, checkpointsFor, hasNewBytes, type ObservedFile, planRead, type PlannedFile } from "../../domain/Checkpoint.js"
import { formatDuration, formatSpan } from "../../domain/Duration.js"
import { classify, defaultPolicy, RetryBudget, type RetryPolicy, retryWaitLine, schedule } from "../../domain/Retry.js"
import { makeOutbound } from "../../domain/Outbound.js"
import { sendingCount } from "../../domain/ProgressLine.js"
import { auditLine } from "../../domain/AuditRecord.js"
import { CliFailure, ExitCode, line } from "../Failure.js"
import type { Privacy } from "../Privacy.js"

const CMD = "send-events"
const ALERT_NEEDLE = '"alert"'
/** Rejections logged one by one; the rest are counted. */
const LOG_REJECTIONS = 10
const SENT = Effect.succeed("sent" as const)

/** The service refused the token (401/403): stop at once, exit 3. */
export class TokenRefused extends Data.TaggedError("TokenRefused")<{ readonly message: string }> {}

/** Delivery gave up for this run (retry budget spent): exit 1; the next run resumes from the checkpoint. */
export class DeliveryFailed extends Data.TaggedError("DeliveryFailed")<{ readonly message: string }> {}

export interface SendEventsOptions {
  readonly log: string
  /** Milliseconds; records older are never sent. Undefined: `--max-age off`. */
  readonly maxAgeMs: number | undefined
  /** Skip the random spread delay (`--direct`). */
  readonly direct: boolean
  /** Upper bound of the spread delay [60 s]. */
  readonly spreadMs?: number
  /** Requests in flight [4]. */
  readonly concurrency?: number
  readonly policy?: RetryPolicy
  /** Checkpoint write interval while delivering [1 s]. */
  readonly persistEveryMs?: number
  /** Loads HOME_NET, interfaces and SIDs; only run when there is something new to read. */
  readonly privacy: Effect.Effect<Privacy, string | CliFailure>
  /** Keeps the acknowledged bodies (audit lines), appended with each checkpoint write; absent: `--no-audit`. */
  readonly audit?: Pick<AuditLogService, "append">
  /** Say the token's warnings (a value trimmed, ...) [true]; `run` says them once, not every minute. */
  readonly tokenWarnings?: boolean
}

export interface SendSummary {
  readonly outcome: "locked" | "nothing-new" | "delivered"
  readonly counters: Counters
  readonly files: number
}

/**
 * The log's files and what is in them, as of one moment: listed, observed, listed again, and retried while
 * logrotate is moving files (a file seen half-way through a rotation would otherwise look deleted, and its
 * checkpoint be dropped). `stable: false` after a few tries: the caller then keeps checkpoints it cannot match.
 */
const observeLog = (eve: EveLog["Type"], log: string, report: (line: string) => Effect.Effect<void>) =>
  Effect.gen(function* () {
    let observed: Array<ObservedFile> = []
    for (let attempt = 0; attempt < 5; attempt++) {
      if (attempt > 0) yield* Effect.sleep(Duration.millis(20 * attempt))
      const { files: listed, skipped } = yield* eve.list(log)
      // A FIFO, directory or symlink loop under an eve name: said once, and the other files are read.
      if (attempt === 0) for (const f of skipped) yield* report(line(CMD, `skipped ${f.path}: ${f.why}`))
      const seen = yield* Effect.forEach(listed, (f) => eve.observe(f.path))
      observed = seen.filter((o): o is ObservedFile => o !== undefined)
      const again = yield* eve.files(log)
      const same = (a: { path: string; dev: number; ino: number }, b: { path: string; dev: number; ino: number }) =>
        a.path === b.path && a.dev === b.dev && a.ino === b.ino
      const stable = observed.length === listed.length && again.length === observed.length &&
        again.every((f) => observed.some((o) => same(f, o)))
      if (stable) return { files: observed, stable: true }
    }
    return { files: observed, stable: false }
  })

interface Event {
  readonly file: number
  readonly id: number
  readonly json: string
}

export const sendEvents = (opts: SendEventsOptions) =>
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

    const listing = yield* observeLog(eve, opts.log, out.err)
    const plans = planRead(listing.files, loaded.state.files)
    // Checkpoints no file matched: forgotten (deleted files), unless the listing never settled.
    const unmatched = listing.stable ? [] : loaded.state.files.filter((c) => !plans.some((p) => p.fingerprint === c.fingerprint))

    if (!hasNewBytes(plans)) {
      // Only tidies the file list (renamed paths, deleted files); lastSend keeps the last delivery, and the
      // start-up fast path (SendEventsFastPath.ts) answers this case without writing anything.
      const files = [...checkpointsFor(plans, (p) => p.start), ...unmatched]
      yield* store.modify((s) => ({ ...s, files }))
      return { outcome: "nothing-new", counters: zero(), files: plans.length } satisfies SendSummary
    }

    // A configuration error (bad --home-net, unreadable SID file) keeps its exit code 2.
    const privacy = yield* opts.privacy.pipe(Effect.mapError((m) => (typeof m === "string" ? new DeliveryFailed({ message: m }) : m)))
    for (const w of privacy.warnings) yield* out.err(line(CMD, `warning: ${w}`))
    const outbound = makeOutbound(privacy)
    const notBefore = opts.maxAgeMs === undefined ? undefined : startedAt - opts.maxAgeMs
    const progress = yield* Progress // a backlog on a terminal shows a progress line (silent elsewhere)
    const plannedBytes = plans.reduce((n, p) => n + Math.max(0, p.size - p.start), 0)
    let bytesRead = 0

    // What the run has done, and what of it is already in the state file.
    const trackers: Array<AckTracker | undefined> = plans.map(() => undefined)
    const counters = zero()
    // What the state file may count: acknowledgements at once, lines read once the checkpoint passes them.
    const ledger = zero()
    const pending: Array<PendingCounts | undefined> = plans.map(() => undefined)
    let persisted: Counters = zero()
    let hourly = new Map<number, HourBucket>()
    let answered = 0
    let dirty = false
    let audited: Array<string> = []
    const bump = (now: number, k: BucketKey) => bumpHour(hourly, now, k)

    const offsets = () => [...checkpointsFor(plans, (p, i) => trackers[i]?.offset ?? p.start), ...unmatched]
    const persistLock = yield* Effect.makeSemaphore(1)
    /**
     * Writes offsets, counters and buckets not yet written; `result` also sets lastSend. `resultOnly`: just
     * lastSend (a refused token with nothing answered: the lines will be read, and counted, again).
     */
    const persist = (result?: TaskResult, resultOnly = false) =>
      persistLock.withPermits(1)(
        Effect.gen(function* () {
          if (resultOnly && result !== undefined) {
            yield* store.modify((s) => ({ ...s, lastSend: result }))
            return
          }
          if (!dirty && result === undefined) return
          plans.forEach((p, i) => pending[i]?.settle(trackers[i]?.offset ?? p.start, ledger, hourly))
          const snapshot = { ...ledger }
          const delta = subCounters(snapshot, persisted)
          // Taken now: what happens while the file is written goes into the next write.
          const hours = hourly
          hourly = new Map()
          const files = offsets()
          const now = yield* Clock.currentTimeMillis
          dirty = false
          yield* store.modify((s) => {
            const base: AgentState = {
              ...s,
              counters: addCounters(s.counters, delta),
              hourly: mergeHourly(s.hourly, hours.values(), now)
            }
            return result === undefined ? { ...base, files } : { ...base, files, lastSend: result }
          }).pipe(
            Effect.tapError(() =>
              Effect.sync(() => {
                // Not written: kept for the next write.
                for (const b of hours.values()) {
                  const cur = hourly.get(b.hour)
                  hourly.set(b.hour, cur === undefined ? b : addBuckets(cur, b))
                }
                dirty = true
              })
            )
          )
          persisted = snapshot
          // What was acknowledged goes on record with the checkpoint that covers it: one write, no extra cost.
          if (audited.length > 0 && opts.audit !== undefined) {
            const lines = audited
            audited = []
            // Not kept on record is said, not fatal: the bodies were delivered and the checkpoint is written.
            yield* opts.audit.append(lines).pipe(Effect.catchAll((e) => out.err(line(CMD, `warning: ${e.message}`))))
          }
        })
      )

    /**
     * The writes made while delivering (every second, before each backoff wait): a failure (the state lock
     * busy for 5 s, a full disk) is said once and retried at the next one; the final write reports for real.
     */
    let persistWarned = false
    // Until the service has answered once there is no progress to keep, and a first answer that refuses the
    // token must leave the checkpoint exactly as it was (a slow start would otherwise record the planned offsets).
    const persistQuietly = Effect.suspend(() => (answered === 0 ? Effect.void : persist())).pipe(
      Effect.catchAll((e) =>
        persistWarned
          ? Effect.void
          : Effect.zipRight(
              Effect.sync(() => void (persistWarned = true)),
              out.err(line(CMD, `warning: checkpoint not written, will retry: ${e.message}`))
            )
      )
    )

    // Lines → events to send (one array per chunk read), registered with their file's tracker in file order.
    // Files are read one after another, so a file may be rotated between planning and its turn (logrotate
    // renames eve.json while older files are being delivered). It is read only if its path still holds the
    // planned file when opened (`expect`): otherwise reading from the planned offset would skip the start of
    // another file. Skipped, it keeps its checkpoint and is found by its fingerprint, under its new name, next run.
    const readEvents = (plan: PlannedFile, file: number): Stream.Stream<Array<Event>, EveLogError> =>
      Stream.suspend(() => {
        const tracker = new AckTracker(plan.start)
        trackers[file] = tracker
        const counts = new PendingCounts()
        pending[file] = counts
        let readTo = plan.start
        return eve.read(plan.path, { start: plan.start, prefilter: ALERT_NEEDLE, expect: plan }).pipe(
          // Deleted, or no longer a log, while we were about to read it: found or forgotten next run.
          Stream.catchAll((e) => (e.reason === "NotFound" || e.reason === "NotALog" ? Stream.empty : Stream.fail(e))),
          Stream.mapEffect((batch) =>
            Effect.map(Clock.currentTimeMillis, (now) => {
              const events: Array<Event> = []
              const step = (l: string) => outbound.line(l, notBefore)
              countBatch(batch, now, step, counters, counts, (json, end) => events.push({ file, id: tracker.add(end), json }))
              tracker.advance(batch.end)
              bytesRead += batch.end - readTo
              readTo = batch.end
              dirty = true
              return events
            })
          )
        )
      })

    const budget = new RetryBudget((opts.policy ?? defaultPolicy).budgetMs)
    const retry = schedule({
      ...(opts.policy === undefined ? {} : { policy: opts.policy }),
      budget,
      beforeWait: (_ms, _e, wait) => Effect.zipRight(persistQuietly, out.err(line(CMD, retryWaitLine(wait))))
    })

    // The spread delay is waited once, before the first events go (a run with nothing to send never waits).
    const spreadMs = opts.direct ? 0 : opts.spreadMs ?? 60_000
    const ready = yield* Effect.cached(
      spreadMs > 0 ? Effect.flatMap(Random.nextIntBetween(0, spreadMs + 1), (wait) => Effect.sleep(wait)) : Effect.void
    )

    let rejections = 0
    // Per event, the fewest steps the program can take (a backlog posts thousands; BENCHMARKS.md "Issue 14"):
    // the post, then one match. The schedule is entered only after a first failure (the common path stays
    // cheap); that failure is replayed to it as its first input.
    const answerOf = (ev: Event) =>
      Effect.matchEffect(api.postEvent(ev.json), {
        onSuccess: () => SENT,
        onFailure: (first: ApiError) => {
          let replay: ApiError | undefined = first
          const attempt = Effect.suspend(() => {
            if (replay === undefined) return api.postEvent(ev.json)
            const e = replay
            replay = undefined
            return Effect.fail(e)
          })
          return Effect.matchEffect(Effect.retry(attempt, retry), { onSuccess: () => SENT, onFailure: unsent })
        }
      })
    /** A failure after the retries: a rejection is an answer; the rest stop the run. */
    const unsent = (e: ApiError): Effect.Effect<ApiError, TokenRefused | DeliveryFailed | CliFailure> => {
      const kind = classify(e)
      if (kind === "reject") return Effect.succeed(e)
      if (kind === "refused") return Effect.fail(refused(e))
      if (kind === "misrouted") return Effect.fail(misrouted(e))
      // The real time spent in trouble, not the budget: the wait that would overdraw it is not taken.
      return Effect.flatMap(Clock.currentTimeMillis, (stoppedAt) => Effect.fail(
        new DeliveryFailed({
          message: `delivery stopped after ${formatSpan(budget.used(stoppedAt))} of retries: ${e.message}; the next run resumes from the checkpoint`
        })
      ))
    }
    const record = (ev: Event, answer: "sent" | ApiError, now: number): Effect.Effect<void> => {
      budget.succeeded(now)
      answered++
      trackers[ev.file]!.done(ev.id)
      dirty = true
      const drawn = progress.update(() => sendingCount(answered, counters.selected, bytesRead, plannedBytes))
      if (answer === "sent") {
        if (opts.audit !== undefined) audited.push(auditLine(now, ev.json))
        counters.sent++
        ledger.sent++
        bump(now, "sent")
        return drawn
      }
      counters.rejected++
      ledger.rejected++
      bump(now, "rejected")
      const n = rejections++
      const said = n < LOG_REJECTIONS
        ? out.err(line(CMD, `event rejected: ${answer.message}`))
        : n === LOG_REJECTIONS
        ? out.err(line(CMD, "further rejections are counted, not logged"))
        : Effect.void
      return Effect.zipRight(said, drawn)
    }
    const deliver = (ev: Event) =>
      Effect.flatMap(answerOf(ev), (answer) => Effect.flatMap(Clock.currentTimeMillis, (now) => record(ev, answer, now)))

    const refused = (e: ApiError) => {
      const status = e._tag === "HttpStatusError" ? e.status : 0
      const spaces = token.trimmed
        ? "the configured value had leading/trailing whitespace (trimmed before sending; fix it there)"
        : "it has no leading or trailing whitespace"
      return new TokenRefused({
        message: `the service refused the token (HTTP ${status} from ${e._tag === "HttpStatusError" ? e.url : "the service"}): check the token in ${token.source}; ${spaces}`
      })
    }

    // 404/405 before any answer: the URL is wrong, a configuration error (exit 2, checkpoint kept); after
    // events were answered, the service is at fault: the run stops and the next one resumes.
    const misrouted = (e: ApiError) =>
      answered === 0
        ? new CliFailure({ message: `${e.message}: no telemetry API at that URL; check --base-url (the checkpoint is kept)`, exitCode: ExitCode.usage })
        : new DeliveryFailed({ message: `${e.message} after events were accepted; the next run resumes from the checkpoint` })

    const persistEvery = opts.persistEveryMs ?? 1000
    // On a fixed cadence (not "a second after the last write finished"), so writes are at most a second apart.
    yield* Effect.forkScoped(persistQuietly.pipe(Effect.repeat(Schedule.fixed(persistEvery))))

    // A few workers per chunk read, each taking the next event: [4] requests in flight, and no fiber per event.
    const inFlight = opts.concurrency ?? 4
    const deliverAll = (events: Array<Event>) => {
      if (events.length === 0) return Effect.void
      let next = 0
      const worker = Effect.whileLoop({ while: () => next < events.length, body: () => deliver(events[next++]!), step: () => undefined })
      return Effect.zipRight(
        ready,
        Effect.all(Array.from({ length: Math.min(inFlight, events.length) }, () => worker), { concurrency: "unbounded", discard: true })
      )
    }
    const delivery = Stream.fromIterable(plans.map((p, i) => [p, i] as const)).pipe(
      Stream.flatMap(([p, i]) => (p.size > p.start ? readEvents(p, i) : Stream.empty)),
      Stream.runForEach(deliverAll),
      // No spans per request (nothing exports them, and they cost more than the rest of a request).
      Effect.withTracerEnabled(false)
    )

    // Interrupted (SIGTERM in `run` past its grace): keep what was acknowledged, so only requests actually in
    // flight are sent again, not up to a second's worth.
    const result = yield* Effect.either(delivery.pipe(Effect.onInterrupt(() => persistQuietly), Effect.ensuring(progress.clear)))
    const finishedAt = yield* Clock.currentTimeMillis
    const summary = ledgerSummary(counters, opts.maxAgeMs)
    if (result._tag === "Left") {
      const e = result.left
      // A refused token or a wrong URL with nothing acknowledged leaves the checkpoint exactly as it was.
      const keep = (e._tag === "TokenRefused" || e._tag === "CliFailure") && answered === 0
      yield* persist({ at: finishedAt, ok: false, message: `${e.message} (${summary})` }, keep)
      return yield* Effect.fail(e)
    }
    yield* persist({ at: finishedAt, ok: true, message: summary })
    yield* out.err(line(CMD, summary))
    return { outcome: "delivered", counters: { ...counters }, files: plans.length } satisfies SendSummary
  })

export type SendEventsError = TokenRefused | DeliveryFailed | StateError | EveLogError | TokenError

/** For `run` and tests: Option of the stored checkpoint of a path. */
export const checkpointOf = (state: AgentState, path: string) => Option.fromNullable(state.files.find((f) => f.path === path))
