/**
 * `replay`: plays recorded eve logs through the sanitiser and the TelemetryApi into the embedded reference
 * service (or `--base-url`) on simulated time taken from the records' own timestamps, with a heartbeat on
 * the simulated hourly schedule, and prints the timeline of license status transitions and totals.
 *
 * Time: a simulated Clock, set forward as records are read (never back: eve logs are not time-ordered, a
 * late record is delivered at the current simulated time). The embedded service runs on that clock, so its
 * license decisions are made on simulated time too. With `--instant` nothing waits; with `--speed N` the
 * replay sleeps (on the real clock) a 1/N of each simulated step. The agent side keeps its real clock (HTTP
 * timeouts are real). The same log gives the same output: nothing printed depends on the wall clock, the
 * port or the token.
 *
 * The timeline comes from the license model (src/domain/License.ts) over what the service acknowledged;
 * with the embedded service every transition is also asked of the service's `sensorinfo`, and a
 * disagreement is printed.
 */
import { Clock, Duration, Effect, Schedule, type Scope, Stream } from "effect"
import { EveLog } from "../../adapters/EveLog.js"
import { Output } from "../../adapters/Output.js"
import { make as makeApi, type TelemetryApiService } from "../../adapters/TelemetryApi.js"
import type { ApiError } from "../../domain/ApiError.js"
import { assembleHeartbeat, found, notFound } from "../../domain/Heartbeat.js"
import { DEFAULT_WINDOWS, license, type LicenseWindows } from "../../domain/License.js"
import type { LicenseStatus } from "../../domain/StatusNames.js"
import type { NetworkSet } from "../../domain/Network.js"
import { classify } from "../../domain/Retry.js"
import { makeOutbound } from "../../domain/Outbound.js"
import { parseEveLine } from "../../domain/Sanitise.js"
import { parseTimestamp } from "../../domain/Timestamp.js"
import { CliFailure, ExitCode } from "../Failure.js"

/** A Clock whose time is set by the program; `sleep` advances it instead of waiting. */
export interface SimClock {
  readonly clock: Clock.Clock
  readonly now: () => number
  readonly set: (ms: number) => void
}

export const makeSimClock = (startMs: number): SimClock => {
  let now = startMs
  const nanos = () => BigInt(now) * 1_000_000n
  const clock: Clock.Clock = {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => now,
    currentTimeMillis: Effect.sync(() => now),
    unsafeCurrentTimeNanos: nanos,
    currentTimeNanos: Effect.sync(nanos),
    sleep: (d) => Effect.sync(() => void (now += Duration.toMillis(d)))
  }
  return { clock, now: () => now, set: (ms) => void (now = ms) }
}

/** What a replay asks of a service it started itself, to compare the license model with. */
export interface EmbeddedService {
  readonly url: string
  /** The token it registered (a fresh one unless given). */
  readonly token: string
  readonly counts: Effect.Effect<{ events: number; heartbeats: number; violations: number }, unknown>
}

/**
 * Starts a service in process on the replay's simulated clock (src/reference/Embedded.ts); injected by the
 * command so that the agent's code never loads the reference side.
 */
export type StartEmbedded = (o: {
  readonly token?: string | undefined
  readonly clock: Clock.Clock
  readonly windows?: LicenseWindows | undefined
}) => Effect.Effect<EmbeddedService, unknown, Scope.Scope>

export type Pace = { readonly _tag: "instant" } | { readonly _tag: "speed"; readonly factor: number }

export interface ReplayOptions {
  readonly log: string
  readonly pace: Pace
  /** Undefined: the embedded service, started by `embedded`. */
  readonly baseUrl?: string | undefined
  readonly embedded?: StartEmbedded | undefined
  /** Required with `baseUrl`; generated for the embedded service. */
  readonly token?: string | undefined
  readonly insecure?: boolean
  readonly local: NetworkSet
  readonly sids: ReadonlySet<number>
  /** Records older than this (simulated) are not sent [1 day]; undefined: no limit. */
  readonly maxAgeMs?: number | undefined
  readonly heartbeatEveryMs?: number
  readonly windows?: LicenseWindows
}

export interface ReplayTotals {
  lines: number
  badLines: number
  records: number
  noTimestamp: number
  lateRecords: number
  alerts: number
  sent: number
  rejected: number
  failed: number
  expired: number
  notListed: number
  maskedValues: number
  droppedKeys: number
  droppedAddresses: number
  heartbeats: number
  heartbeatsFailed: number
  transitions: number
  serviceDisagreements: number
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, "Z")

const span = (ms: number): string => {
  const m = Math.round(ms / 60_000)
  const d = Math.floor(m / 1440)
  const h = Math.floor((m % 1440) / 60)
  return `${d > 0 ? `${d}d ` : ""}${h}h ${m % 60}m`
}

/** The heartbeat a replayed sensor sends: no probes, only the simulated time. */
const heartbeatBody = (now: number) =>
  assembleHeartbeat(
    {
      softwareVersion: found("etpro-telemetry replay"),
      suricataVersion: notFound("replay"),
      suricataRunning: found(true),
      rulesetVersion: notFound("replay"),
      installedSids: notFound("replay"),
      telemetrySids: notFound("replay"),
      ipsMode: notFound("replay"),
      stats: notFound("replay")
    },
    now
  )

/** The first timestamp of the log (where simulated time starts), or undefined when it has none. */
const firstTimestamp = (files: ReadonlyArray<{ path: string }>) =>
  Effect.gen(function* () {
    const eve = yield* EveLog
    let first: number | undefined
    for (const f of files) {
      yield* eve.read(f.path, { start: 0 }).pipe(
        Stream.runForEachWhile((batch) =>
          Effect.sync(() => {
            for (const line of batch.lines) {
              try {
                const r = parseEveLine(line) as { timestamp?: unknown }
                const t = typeof r?.timestamp === "string" ? parseTimestamp(r.timestamp) : undefined
                if (t !== undefined) {
                  first = t
                  return false
                }
              } catch {
                // a bad line: the main pass counts it
              }
            }
            return true
          })
        )
      )
      if (first !== undefined) break
    }
    return first
  })

export const replay = (opts: ReplayOptions) =>
  Effect.scoped(
    Effect.gen(function* () {
      const eve = yield* EveLog
      const out = yield* Output
      const windows = opts.windows ?? DEFAULT_WINDOWS
      const hourMs = opts.heartbeatEveryMs ?? 3_600_000
      const maxAgeMs = opts.maxAgeMs
      const files = yield* eve.files(opts.log)
      const start = yield* firstTimestamp(files)
      const totals: ReplayTotals = {
        lines: 0, badLines: 0, records: 0, noTimestamp: 0, lateRecords: 0, alerts: 0, sent: 0, rejected: 0,
        failed: 0, expired: 0, notListed: 0, maskedValues: 0, droppedKeys: 0, droppedAddresses: 0, heartbeats: 0,
        heartbeatsFailed: 0, transitions: 0, serviceDisagreements: 0
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
      const embedded = opts.baseUrl === undefined
      let token = opts.token
      let baseUrl = opts.baseUrl
      let serviceCounts: Effect.Effect<{ events: number; heartbeats: number; violations: number }, unknown> | undefined
      if (embedded && opts.embedded !== undefined) {
        const svc = yield* opts.embedded({ token, clock: sim.clock, windows: opts.windows })
        token = svc.token
        baseUrl = svc.url
        serviceCounts = svc.counts
      }
      // Said once the embedded service is up: a sensor without SQLite gets its one error line and nothing else.
      yield* heading
      if (token === undefined || baseUrl === undefined) {
        return yield* new CliFailure({ message: "--base-url needs --token", exitCode: ExitCode.usage })
      }
      const api: TelemetryApiService = yield* makeApi({ baseUrl, token, insecure: opts.insecure ?? false, timeoutMs: 10_000 })

      // ---- the simulated sensor's side: what the service acknowledged, and the status it implies
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
          const step = to - sim.now()
          if (step > 0 && opts.pace._tag === "speed") yield* Effect.sleep(Duration.millis(step / opts.pace.factor))
          if (to > sim.now()) sim.set(to)
        })

      /** Retries what may pass on a second try (embedded: never needed); 401/403 end the replay. */
      const deliver = (call: Effect.Effect<void, ApiError>) =>
        call.pipe(
          Effect.as("ok" as const),
          Effect.retry({
            schedule: Schedule.exponential(Duration.millis(200)).pipe(Schedule.intersect(Schedule.recurs(4))),
            while: (e) => classify(e) === "retry"
          }),
          Effect.catchAll((e) =>
            classify(e) === "refused"
              ? Effect.fail(
                  new CliFailure({ message: `the service at ${baseUrl} refused the token (${e.message})`, exitCode: ExitCode.tokenRefused })
                )
              : Effect.succeed(classify(e) === "reject" ? ("rejected" as const) : ("failed" as const))
          )
        )

      const line = (at: number, s: string, why: string) => out.out(`${iso(at)}  ${s.padEnd(8)}  ${why}\n`)

      /** Prints a line when the status changed; `why` explains an arrival, `prev` a passing deadline. */
      const check = (why: string | undefined, prevNext?: { unless: string }) =>
        Effect.gen(function* () {
          const now = sim.now()
          const l = license(facts, now, windows)
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
            const info = yield* api.sensorInfo.pipe(Effect.either)
            // The wire is lower case (SPEC section 2); compared and shown as the model names it.
            const said = info._tag === "Right" ? String(info.right.sensor_status).toUpperCase() : `no answer (${info.left.message})`
            if (said !== l.status) {
              totals.serviceDisagreements++
              note = `  [service says ${said}]`
            }
          }
          yield* line(now, l.status, `${from === undefined ? "" : `${from} → ${l.status}: `}${reason}${note}`)
        })

      const heartbeat = (why = "heartbeat received") => Effect.gen(function* () {
        const r = yield* deliver(api.postHeartbeat(heartbeatBody(sim.now())))
        if (r === "ok") {
          totals.heartbeats++
          facts.lastHeartbeat = sim.now()
        } else totals.heartbeatsFailed++
        yield* check(why)
        nextHeartbeat += hourMs
      })

      /** Moves simulated time to `t`, sending the heartbeats and passing the deadlines on the way. */
      const advanceTo = (t: number) =>
        Effect.gen(function* () {
          for (;;) {
            const l = license(facts, sim.now(), windows)
            const deadline = l.next?.at ?? Infinity
            const next = Math.min(deadline, nextHeartbeat)
            if (next > t) break
            yield* advance(next)
            if (nextHeartbeat <= deadline) yield* heartbeat()
            else yield* check(undefined, l.next)
          }
          yield* advance(t)
        })

      // Registration and the first heartbeat at the first record's time.
      yield* heartbeat("sensor registered, first heartbeat")

      const outbound = makeOutbound({ local: opts.local, sids: opts.sids }, { explain: true })
      const handle = (text: string) =>
        Effect.gen(function* () {
          const rec = outbound.parse(text)
          if (rec === undefined) {
            totals.badLines++
            return
          }
          if (typeof rec !== "object" || rec === null || Array.isArray(rec)) {
            totals.badLines++
            return
          }
          totals.records++
          const ts = (rec as { timestamp?: unknown }).timestamp
          const t = typeof ts === "string" ? parseTimestamp(ts) : undefined
          if (t === undefined) totals.noTimestamp++
          else {
            if (t < sim.now()) totals.lateRecords++
            yield* advanceTo(Math.max(t, sim.now()))
          }
          const o = outbound.decide(rec, maxAgeMs === undefined ? undefined : sim.now() - maxAgeMs)
          if (o.verdict !== "not-alert") totals.alerts++
          if (o.verdict === "expired") totals.expired++
          if (o.verdict === "sid-not-listed") totals.notListed++
          if (o.verdict !== "send") return
          totals.maskedValues += o.explanation?.masked.length ?? 0
          totals.droppedKeys += o.explanation?.dropped.length ?? 0
          totals.droppedAddresses += o.droppedAddresses
          const r = yield* deliver(api.postEvent(o.json))
          if (r === "ok") {
            totals.sent++
            facts.lastEvent = sim.now()
            yield* check("event received")
          } else if (r === "rejected") totals.rejected++
          else totals.failed++
        })

      for (const f of files) {
        yield* eve.read(f.path, { start: 0 }).pipe(
          Stream.runForEach((batch) =>
            Effect.gen(function* () {
              totals.lines += batch.lineCount
              totals.badLines += batch.bad
              for (const text of batch.lines) yield* handle(text)
            })
          )
        )
      }

      const end = sim.now()
      const final = license(facts, end, windows)
      yield* out.out(
        `totals: ${totals.lines} lines (${totals.badLines} bad, ${totals.noTimestamp} without timestamp, ` +
          `${totals.lateRecords} out of order), ${totals.alerts} alerts, ${totals.sent} sent, ${totals.rejected} rejected, ` +
          `${totals.failed} failed, ${totals.expired} expired, ${totals.notListed} not in telemetry SIDs\n`
      )
      yield* out.out(
        `privacy: ${totals.maskedValues} values masked, ${totals.droppedKeys} keys dropped, ` +
          `${totals.droppedAddresses} address values that were not addresses dropped\n`
      )
      yield* out.out(
        `heartbeats: ${totals.heartbeats} sent, ${totals.heartbeatsFailed} failed; ${totals.transitions} status transitions\n`
      )
      yield* out.out(
        `simulated ${iso(start)} → ${iso(end)} (${span(end - start)}); final status ${final.status} (${final.ruleset})` +
          `${final.next === undefined ? "" : `, ${final.next.to} at ${iso(final.next.at)} unless ${final.next.unless}`}\n`
      )
      if (serviceCounts !== undefined) {
        const c = yield* serviceCounts
        yield* out.out(
          `service: ${c.events} events and ${c.heartbeats} heartbeats stored, ${c.violations} privacy violations` +
            `${totals.serviceDisagreements > 0 ? `, ${totals.serviceDisagreements} status disagreements` : ""}\n`
        )
      }
      return totals
    })
  )
