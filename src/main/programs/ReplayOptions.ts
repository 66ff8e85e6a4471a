/**
 * What `replay` (./Replay.ts) is given (the recording, the pace, the service, the simulated sensor's layers) and
 * what it counts, with the few pure helpers of its timeline.
 */
import { Cause, type Clock, Data, type Effect, Exit, Option, type Scope } from "effect"
import type { Counters } from "../../domain/AgentState.js"
import type { LicenseWindows } from "../../domain/License.js"
import type { NetworkSet } from "../../domain/Network.js"
import { parseTimestamp } from "../../domain/Timestamp.js"
import type { ReplaySensorLayer } from "./ReplaySensor.js"

/** The replay cannot start: a service URL without a token (a usage error at the CLI). */
export class ReplayUsage extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

/** The service refused the replay's token: the replay ends (exit 3 at the CLI). */
export class ReplayRefused extends Data.TaggedError("TokenRefused")<{ readonly message: string }> {}

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
  /** send-events' `--max-age`, on simulated time; undefined: off. */
  readonly maxAgeMs?: number | undefined
  readonly heartbeatEveryMs?: number
  readonly windows?: LicenseWindows
  /** The simulated sensor's services (src/main/layers.ts, replaySensorLayer). */
  readonly sensorLayer: ReplaySensorLayer
}

export interface ReplayTotals {
  /** The recording: lines, lines that are not JSON, records without a timestamp, records earlier than one before. */
  lines: number
  badLines: number
  noTimestamp: number
  lateRecords: number
  /** send-events' ledger, summed over its runs. */
  ledger: Counters
  /** Alerts selected but neither acknowledged nor rejected by the end. */
  failed: number
  runs: number
  runsFailed: number
  /** What the sanitiser did to the events selected. */
  maskedValues: number
  droppedKeys: number
  droppedAddresses: number
  heartbeats: number
  heartbeatsFailed: number
  transitions: number
  serviceDisagreements: number
}

export const MINUTE = 60_000

export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, "Z")

export const span = (ms: number): string => {
  const m = Math.round(ms / 60_000)
  const d = Math.floor(m / 1440)
  const h = Math.floor((m % 1440) / 60)
  return `${d > 0 ? `${d}d ` : ""}${h}h ${m % 60}m`
}

/** The cron minute a record at `t` is delivered in: the first at or after it. */
export const cronTick = (t: number) => Math.ceil(t / MINUTE) * MINUTE

/** The timestamp of a record, when it has one. */
export const timeOf = (rec: unknown): number | undefined => {
  const ts = typeof rec === "object" && rec !== null ? (rec as { timestamp?: unknown }).timestamp : undefined
  return typeof ts === "string" ? parseTimestamp(ts) : undefined
}

/** The failure an exit ended with, if it failed (not died or was interrupted). */
export const failureOf = <A, E>(exit: Exit.Exit<A, E>): E | undefined =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined
