/**
 * What `replay` (./Replay.ts) is given (the recording, the pace, the service, the simulated sensor's layers) and
 * what it counts, with the few pure helpers of its timeline.
 */
import { Cause, type Clock, Data, type Effect, Exit, Option, Schema, type Scope } from "effect"
import { isBaseUrl } from "../../domain/BaseUrl.js"
import { decodeOnly, firstMessage, MaxAgeMs, OptionalNumber, OptionalText } from "../../domain/OptionSchemas.js"
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

export const Pace = Schema.Union(
  Schema.Struct({ _tag: Schema.Literal("instant") }),
  Schema.Struct({ _tag: Schema.Literal("speed"), factor: Schema.Positive })
)
export type Pace = typeof Pace.Type

const Decoded = Schema.Struct({
  log: Schema.String,
  pace: Pace,
  /** Undefined: the embedded service. */
  baseUrl: Schema.UndefinedOr(Schema.String),
  /** Required with `baseUrl`; generated for the embedded service. */
  token: Schema.UndefinedOr(Schema.String),
  insecure: Schema.Boolean,
  /** HOME_NET of the recorded sensor, or its suricata.yaml. */
  homeNet: Schema.UndefinedOr(Schema.String),
  suricataYaml: Schema.UndefinedOr(Schema.String),
  /** The SID list file; undefined: every alert. */
  sids: Schema.UndefinedOr(Schema.String),
  /** send-events' `--max-age`, on simulated time; undefined: off. */
  maxAgeMs: Schema.UndefinedOr(Schema.Positive)
})

const Flags = Schema.Struct({
  log: Schema.String,
  speed: OptionalNumber,
  instant: Schema.Boolean,
  baseUrl: OptionalText,
  token: OptionalText,
  insecure: Schema.Boolean,
  homeNet: OptionalText,
  suricataYaml: OptionalText,
  sids: OptionalText,
  maxAge: Schema.String
})

/** What `replay` is asked to do, as one Schema decoded once from its flags (src/main/commands/ReplayCommand.ts). */
export const ReplayOptions = decodeOnly(Flags, Decoded, (o) => {
  // Checked in this order, the first failure reported.
  if (o.speed !== undefined && o.instant) return "--speed and --instant exclude each other"
  if (o.speed !== undefined && !(o.speed > 0)) return "--speed must be a positive number"
  if (o.baseUrl !== undefined && o.token === undefined) return "--base-url needs --token"
  if (o.baseUrl !== undefined && !isBaseUrl(o.baseUrl)) return `--base-url ${JSON.stringify(o.baseUrl)} is not an http(s) URL`
  if (o.token !== undefined && o.token.trim() === "") return "--token is empty"
  const maxAgeMs = Schema.decodeEither(MaxAgeMs)(o.maxAge)
  if (maxAgeMs._tag === "Left") return firstMessage(maxAgeMs.left)
  const { speed, instant: _, maxAge: __, ...rest } = o
  return { ok: { ...rest, pace: speed !== undefined ? { _tag: "speed" as const, factor: speed } : { _tag: "instant" as const }, maxAgeMs: maxAgeMs.right } }
})
export type ReplayOptions = typeof ReplayOptions.Type

/** What one replay reads: fields of its options Schema, what the command wires in, and knobs. */
export type ReplayRun = Pick<ReplayOptions, "log" | "pace"> &
  Partial<Pick<ReplayOptions, "baseUrl" | "token" | "maxAgeMs">> & {
  readonly embedded?: StartEmbedded | undefined
  readonly insecure?: boolean
  readonly local: NetworkSet
  readonly sids: ReadonlySet<number>
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
