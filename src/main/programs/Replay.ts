/**
 * `replay`: plays recorded eve logs through the agent's own `send-events` and `send-heartbeat` programs into
 * the embedded reference service (or `--base-url`) on simulated time taken from the records' own timestamps,
 * and prints the timeline of license status transitions and totals.
 *
 * The simulated sensor: a temporary directory with an eve.json that the recorded lines are appended to, one
 * cron minute at a time (a line goes in the minute its timestamp ends; a late line in the current one), and
 * its state (in memory). At each minute that got lines, `send-events --direct` runs (checkpoint, fingerprints,
 * delivery, retries, the ledger); every simulated hour, `send-heartbeat --direct` runs. Both run on a
 * simulated clock (./SimClock.ts) set to the simulated time, against the live TelemetryApi; waits they make on
 * the clock (a retry's backoff) are passed on the simulated clock by `drive`. With `--instant` nothing waits; with `--speed N` the
 * replay sleeps (on the real clock) a 1/N of each simulated step. The embedded service runs on the same
 * clock, so its license decisions are made on simulated time too. The same log gives the same output: nothing
 * printed depends on the wall clock, the port or the token.
 *
 * The timeline comes from the license model (src/domain/License.ts) over what the service acknowledged;
 * with the embedded service every transition is also asked of the service's `sensorinfo`, and a
 * disagreement is printed.
 */
import { Effect, Exit, Stream } from "effect"
import { EveLog } from "../../adapters/EveLog.js"
import { Output } from "../../adapters/Output.js"
import { addCounters, ledgerSummary, zeroCounters } from "../../domain/DeliveryLedger.js"
import { DEFAULT_WINDOWS, license, type LicenseWindows } from "../../domain/License.js"
import type { LicenseStatus } from "../../domain/StatusNames.js"
import { makeOutbound } from "../../domain/Outbound.js"
import { HeartbeatRefused } from "./SendHeartbeat.js"
import { cronTick, type EmbeddedService, failureOf, iso, type ReplayRun, ReplayRefused, type ReplayTotals, ReplayUsage, span, timeOf } from "./ReplayOptions.js"
import { makeReplaySensor, realSleep } from "./ReplaySensor.js"
import { makeSimClock, type SimClock } from "./SimClock.js"

export type { EmbeddedService, Pace, ReplayOptions, ReplayRun, ReplayTotals, StartEmbedded } from "./ReplayOptions.js"

export const replay = (opts: ReplayRun) =>
  Effect.scoped(
    Effect.gen(function* () {
      const eve = yield* EveLog
      const out = yield* Output
      const windows = opts.windows ?? DEFAULT_WINDOWS
      const hourMs = opts.heartbeatEveryMs ?? 3_600_000
      const files = yield* eve.files(opts.log)
      const outbound = makeOutbound({ local: opts.local, sids: opts.sids }, { explain: true })

      // The first timestamp of the log: where simulated time starts.
      let start: number | undefined
      for (const f of files) {
        if (start !== undefined) break
        yield* eve.read(f.path, { start: 0 }).pipe(
          Stream.runForEachWhile((batch) =>
            Effect.sync(() => {
              for (const text of batch.lines) {
                start = timeOf(outbound.parse(text))
                if (start !== undefined) return false
              }
              return true
            })
          )
        )
      }
      const totals: ReplayTotals = {
        lines: 0, badLines: 0, noTimestamp: 0, lateRecords: 0, ledger: zeroCounters(), failed: 0, runs: 0, runsFailed: 0,
        maskedValues: 0, droppedKeys: 0, droppedAddresses: 0, heartbeats: 0, heartbeatsFailed: 0, transitions: 0,
        serviceDisagreements: 0
      }
      const target = opts.baseUrl ?? "the embedded service"
      const paceText = opts.pace._tag === "instant" ? "instant" : `speed ×${opts.pace.factor}`
      const heading = out.out(`replay of ${opts.log} into ${target} on simulated time (${paceText})\n`)
      if (start === undefined) {
        yield* heading
        yield* out.out("the log holds no record with a timestamp: nothing to replay\n")
        return totals
      }
      const sim = makeSimClock(start)
      // Every program of the simulated sensor, and the embedded service, see the simulated clock.
      return yield* Effect.withClock(simulate(opts, sim, totals, heading, windows, hourMs, outbound), sim.clock)
    })
  )

/** The replay proper, on a simulated clock set to `start`. */
const simulate = (
  opts: ReplayRun,
  sim: SimClock,
  totals: ReplayTotals,
  heading: Effect.Effect<void>,
  windows: LicenseWindows,
  hourMs: number,
  outbound: ReturnType<typeof makeOutbound>
) =>
  Effect.gen(function* () {
    const eve = yield* EveLog
    const out = yield* Output
    const start = sim.now()
    const clock = sim.clock
    const now = sim.now

    const embedded = opts.baseUrl === undefined
    let token = opts.token
    let baseUrl = opts.baseUrl
    let serviceCounts: EmbeddedService["counts"] | undefined
    if (embedded && opts.embedded !== undefined) {
      const svc = yield* opts.embedded({ token, clock, windows: opts.windows })
      token = svc.token
      baseUrl = svc.url
      serviceCounts = svc.counts
    }
    // Said once the embedded service is up: a sensor without SQLite gets its one error line and nothing else.
    yield* heading
    if (token === undefined || baseUrl === undefined) {
      return yield* new ReplayUsage({ message: "--base-url needs --token" })
    }

    const sensor = yield* makeReplaySensor({
      sim, baseUrl, token, insecure: opts.insecure ?? false, local: opts.local, sids: opts.sids, maxAgeMs: opts.maxAgeMs,
      layer: opts.sensorLayer
    })

    // ---- what the service acknowledged, and the status it implies
    const facts: { created: number; lastEvent: number | undefined; lastHeartbeat: number | undefined } = {
      created: start,
      lastEvent: undefined,
      lastHeartbeat: undefined
    }
    let status: LicenseStatus | undefined
    let nextHeartbeat = start

    /** Waits for a simulated step (only with --speed), then sets the simulated clock. */
    const advance = (to: number) =>
      Effect.gen(function* () {
        const step = to - now()
        if (step > 0 && opts.pace._tag === "speed") yield* realSleep(step / opts.pace.factor)
        yield* sim.set(to)
      })

    const line = (at: number, s: string, why: string) => out.out(`${iso(at)}  ${s.padEnd(8)}  ${why}\n`)

    /** Prints a line when the status changed; `why` explains an arrival, `prevNext` a passing deadline. */
    const check = (why: string | undefined, prevNext?: { unless: string }) =>
      Effect.gen(function* () {
        const at = now()
        const l = license(facts, at, windows)
        if (l.status === status) return
        const from = status
        status = l.status
        let reason = why ?? ""
        if (why === undefined && prevNext !== undefined) {
          reason = prevNext.unless === "a heartbeat is received"
            ? `no heartbeat since ${facts.lastHeartbeat === undefined ? "registration" : iso(facts.lastHeartbeat)}`
            : `no event since ${facts.lastEvent === undefined ? `registration ${iso(facts.created)}` : iso(facts.lastEvent)}`
        }
        if (l.status === "DISABLED") reason += "; ruleset now ET Open"
        else if (from === "DISABLED") reason += "; ruleset ET Pro again"
        if (from !== undefined) totals.transitions++
        let note = ""
        if (embedded) {
          const info = yield* Effect.either(sensor.sensorInfo)
          // The wire is lower case (SPEC section 2); compared and shown as the model names it.
          const said = info._tag === "Right" ? String(info.right.sensor_status).toUpperCase() : `no answer (${info.left.message})`
          if (said !== l.status) {
            totals.serviceDisagreements++
            note = `  [service says ${said}]`
          }
        }
        yield* line(at, l.status, `${from === undefined ? "" : `${from} → ${l.status}: `}${reason}${note}`)
      })

    /** The real `send-heartbeat --direct`; a refused token ends the replay (exit 3), other failures are counted. */
    const heartbeat = (why = "heartbeat received") =>
      Effect.gen(function* () {
        const exit = yield* sensor.heartbeat
        if (Exit.isSuccess(exit)) {
          totals.heartbeats++
          facts.lastHeartbeat = now()
        } else {
          const e = failureOf(exit)
          if (e instanceof HeartbeatRefused) {
            return yield* new ReplayRefused({ message: `the service at ${baseUrl} refused the token (${e.message})` })
          }
          totals.heartbeatsFailed++
        }
        yield* check(why)
        nextHeartbeat += hourMs
      })

    /** Moves simulated time to `t`, sending the heartbeats and passing the deadlines on the way. */
    const advanceTo = (t: number) =>
      Effect.gen(function* () {
        for (;;) {
          const l = license(facts, now(), windows)
          const deadline = l.next?.at ?? Infinity
          const next = Math.min(deadline, nextHeartbeat)
          if (next > t) break
          yield* advance(next)
          if (nextHeartbeat <= deadline) yield* heartbeat()
          else yield* check(undefined, l.next)
        }
        yield* advance(t)
      })

    /** The real `send-events --direct` on what the log holds so far; a refused token ends the replay. */
    const sendRun = Effect.gen(function* () {
      const exit = yield* sensor.sendEvents
      totals.runs++
      if (Exit.isSuccess(exit)) {
        totals.ledger = addCounters(totals.ledger, exit.value.counters)
        if (exit.value.counters.sent > 0) {
          facts.lastEvent = now()
          yield* check("event received")
        }
        return
      }
      if ((failureOf(exit) as { _tag?: unknown } | undefined)?._tag === "TokenRefused") {
        return yield* new ReplayRefused({ message: `the service at ${baseUrl} refused the token` })
      }
      // Delivery gave up for this run: the next minute resumes from the checkpoint, as on a sensor.
      totals.runsFailed++
    })

    // Registration and the first heartbeat at the first record's time.
    yield* heartbeat("sensor registered, first heartbeat")

    // ---- the recorded lines, one cron minute at a time
    let tick = cronTick(start)
    let pending: Array<string> = []
    const flush = Effect.gen(function* () {
      if (pending.length === 0) return
      yield* advanceTo(tick)
      yield* sensor.append(pending)
      pending = []
      yield* sendRun
    })
    let latest = start
    const feed = (text: string) =>
      Effect.gen(function* () {
        const rec = outbound.parse(text)
        if (rec === undefined || typeof rec !== "object" || rec === null || Array.isArray(rec)) totals.badLines++
        else {
          const t = timeOf(rec)
          if (t === undefined) totals.noTimestamp++
          else {
            if (t < latest) totals.lateRecords++
            latest = Math.max(latest, t)
            if (cronTick(t) > tick) {
              yield* flush
              tick = cronTick(t)
            }
          }
          // What the sanitiser does to it, for the privacy totals (send-events decides the same way).
          const o = outbound.decide(rec, opts.maxAgeMs === undefined ? undefined : tick - opts.maxAgeMs)
          if (o.verdict === "send") {
            totals.maskedValues += o.explanation?.masked.length ?? 0
            totals.droppedKeys += o.explanation?.dropped.length ?? 0
            totals.droppedAddresses += o.droppedAddresses
          }
        }
        pending.push(text)
      })
    for (const f of yield* eve.files(opts.log)) {
      yield* eve.read(f.path, { start: 0 }).pipe(
        Stream.runForEach((batch) =>
          Effect.gen(function* () {
            totals.lines += batch.lineCount
            totals.badLines += batch.bad
            for (const text of batch.lines) yield* feed(text)
          })
        )
      )
    }
    yield* flush

    const end = now()
    const final = license(facts, end, windows)
    const c = totals.ledger
    totals.failed = Math.max(0, c.selected - c.sent - c.rejected)
    yield* out.out(
      `recording: ${totals.lines} lines (${totals.badLines} bad, ${totals.noTimestamp} without timestamp, ` +
        `${totals.lateRecords} out of order)\n`
    )
    yield* out.out(
      `send-events: ${ledgerSummary(c, opts.maxAgeMs)}; ${totals.failed} not delivered; ` +
        `${totals.runs} runs, ${totals.runsFailed} failed\n`
    )
    yield* out.out(
      `privacy: ${totals.maskedValues} values masked, ${totals.droppedKeys} keys dropped, ` +
        `${totals.droppedAddresses} address values that were not addresses dropped\n`
    )
    yield* out.out(`heartbeats: ${totals.heartbeats} sent, ${totals.heartbeatsFailed} failed; ${totals.transitions} status transitions\n`)
    yield* out.out(
      `simulated ${iso(start)} → ${iso(end)} (${span(end - start)}); final status ${final.status} (${final.ruleset})` +
        `${final.next === undefined ? "" : `, ${final.next.to} at ${iso(final.next.at)} unless ${final.next.unless}`}\n`
    )
    if (serviceCounts !== undefined) {
      const s = yield* serviceCounts
      yield* out.out(
        `service: ${s.events} events and ${s.heartbeats} heartbeats stored, ${s.violations} privacy violations` +
          `${totals.serviceDisagreements > 0 ? `, ${totals.serviceDisagreements} status disagreements` : ""}\n`
      )
    }
    return totals
  })
