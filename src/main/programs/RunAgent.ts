/**
 * `run`: the long-running agent. Each task (events, heartbeat, sensor info, rules) runs on its own Effect
 * schedule (src/domain/Schedule.ts), one run at a time per task; tasks run side by side, and a task that
 * fails, dies or hangs past its time limit is logged and tried again at its next slot while the others go
 * on; the same failure over and over is logged once an hour, with a count. Deliveries never overlap a one-shot `send-events` from cron: the events task takes the same run lock.
 *
 * Stopping (`stop` completes, e.g. on SIGTERM): no task starts any more; runs in progress get `graceMs` to
 * finish on their own (a delivery run then writes its checkpoint as at any end); after that they are
 * interrupted (a delivery then writes its checkpoint past every acknowledged event: only requests in flight
 * are sent again).
 */
import { Cause, Clock, Deferred, Duration, Effect, Fiber, Ref } from "effect"
import { Output } from "../../adapters/Output.js"
import { fromNext, nextRun, type RunPlan, type TaskName } from "../../domain/Schedule.js"
import { line } from "../Failure.js"

/** A task's run; its success value, when a string, is logged as the run's result (failures always are). */
export type Task<R> = Effect.Effect<unknown, unknown, R>

export type Tasks<R> = Partial<Record<TaskName, Task<R>>>

export interface RunAgentOptions {
  readonly plan: RunPlan
  /** Local time minus UTC at an instant (for the daily rules time). */
  readonly offsetMs: (t: number) => number
  /** Completes when the agent should stop. */
  readonly stop: Deferred.Deferred<void>
  /** Time runs in progress get to finish once stopping [10 s]. */
  readonly graceMs?: number
  /** Longest run of one task before it is interrupted [15 min]. */
  readonly taskLimitMs?: number
  /** Run every task once at start, then on its slots [false]. */
  readonly startNow?: boolean
}

const HOUR_MS = 3_600_000
const ORDER: ReadonlyArray<TaskName> = ["events", "heartbeat", "sensorInfo", "rules"]
const LABEL: Record<TaskName, string> = { events: "send-events", heartbeat: "send-heartbeat", sensorInfo: "sensor-info", rules: "rules update" }

const firstLine = (e: unknown): string => {
  const m = typeof e === "object" && e !== null && "message" in e ? (e as { message: unknown }).message : undefined
  return (typeof m === "string" && m !== "" ? m : String(e)).split("\n")[0]!
}

/** Why a run failed, in one line. */
export const describeCause = (cause: Cause.Cause<unknown>): string => {
  const failure = Cause.failureOption(cause)
  if (failure._tag === "Some") return firstLine(failure.value)
  const defect = Cause.dieOption(cause)
  if (defect._tag === "Some") return `internal error: ${firstLine(defect.value)}`
  return Cause.isInterruptedOnly(cause) ? "interrupted" : "failed"
}

/** Runs the tasks until `stop`; returns how many runs each task made and how many failed. */
export const runAgent = <R>(tasks: Tasks<R>, o: RunAgentOptions) =>
  Effect.gen(function* () {
    const out = yield* Output
    const graceMs = o.graceMs ?? 10_000
    const limitMs = o.taskLimitMs ?? 15 * 60_000
    const stopping = yield* Ref.make(false)
    const running = yield* Effect.makeSemaphore(ORDER.length)
    const runs = yield* Ref.make<Record<TaskName, { runs: number; failures: number }>>({
      events: { runs: 0, failures: 0 },
      heartbeat: { runs: 0, failures: 0 },
      sensorInfo: { runs: 0, failures: 0 },
      rules: { runs: 0, failures: 0 }
    })
    // The same failure every minute (no token, service down) is logged once, then once an hour with a count.
    const lastFailure = yield* Ref.make<Partial<Record<TaskName, { message: string; loggedAt: number; since: number; repeats: number }>>>({})
    const count = (name: TaskName, failed: boolean) =>
      Ref.update(runs, (r) => ({ ...r, [name]: { runs: r[name].runs + 1, failures: r[name].failures + (failed ? 1 : 0) } }))

    /** One run, never failing: the outcome is logged and counted. */
    const guarded = (name: TaskName, task: Task<R>) =>
      running.withPermits(1)(
        Effect.gen(function* () {
          if (yield* Ref.get(stopping)) return
          const exit = yield* task.pipe(
            Effect.timeoutFail({
              duration: Duration.millis(limitMs),
              onTimeout: () => new Error(`still running after ${Math.round(limitMs / 1000)} s; interrupted`)
            }),
            Effect.exit
          )
          const now = yield* Clock.currentTimeMillis
          const previous = (yield* Ref.get(lastFailure))[name]
          if (exit._tag === "Success") {
            yield* count(name, false)
            if (previous !== undefined) {
              yield* Ref.update(lastFailure, (m) => ({ ...m, [name]: undefined }))
              yield* out.err(line("run", `${LABEL[name]} works again after ${previous.repeats + 1} failed runs`))
            }
            if (typeof exit.value === "string") yield* out.err(line("run", exit.value))
            return
          }
          if (Cause.isInterruptedOnly(exit.cause)) return yield* Effect.interrupt
          yield* count(name, true)
          const message = describeCause(exit.cause)
          if (previous !== undefined && previous.message === message && now - previous.loggedAt < HOUR_MS) {
            yield* Ref.update(lastFailure, (m) => ({ ...m, [name]: { ...previous, repeats: previous.repeats + 1 } }))
            return
          }
          const again = previous !== undefined && previous.message === message
          const suffix = again ? ` (failing since ${new Date(previous.since).toISOString()}, ${previous.repeats + 2} runs)` : ""
          yield* Ref.update(lastFailure, (m) => ({
            ...m,
            [name]: { message, loggedAt: now, since: again ? previous.since : now, repeats: again ? previous.repeats + 1 : 0 }
          }))
          yield* out.err(line("run", `${LABEL[name]} failed: ${message}${suffix}; next attempt at its next slot`))
        })
      )

    const loops = ORDER.flatMap((name) => {
      const task = tasks[name]
      if (task === undefined) return []
      const schedule = fromNext((now) => nextRun(name, o.plan, now, o.offsetMs), { immediately: o.startNow === true })
      return [guarded(name, task).pipe(Effect.schedule(schedule))]
    })
    const fiber = yield* Effect.fork(Effect.all(loops, { concurrency: "unbounded", discard: true }))

    yield* Deferred.await(o.stop)
    yield* Ref.set(stopping, true)
    const start = yield* Clock.currentTimeMillis
    // All permits free = no run in progress; holding them, no run can start.
    const drained = yield* running.withPermits(ORDER.length)(Effect.void).pipe(
      Effect.timeout(Duration.millis(graceMs)),
      Effect.option
    )
    yield* Fiber.interrupt(fiber)
    const waited = (yield* Clock.currentTimeMillis) - start
    return { counts: yield* Ref.get(runs), drained: drained._tag === "Some", waitedMs: waited }
  })
