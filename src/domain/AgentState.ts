/**
 * The agent's durable state (`state.json`): the eve checkpoint, counters and the last result of every task,
 * which `status` and the web page show. Written atomically by the StateStore adapter.
 */
import { Either, Schema } from "effect"
import { knownSensorInfoResult } from "./ServiceAnswer.js"

const opt = <S extends Schema.Schema.Any>(s: S) => Schema.optionalWith(s, { exact: true })

/** Where reading got to in one file, named by a fingerprint of its content (hash of its first line). */
export const FileCheckpoint = Schema.Struct({
  fingerprint: Schema.String,
  /** Last known path; a hint only (rotation renames files). */
  path: Schema.String,
  dev: Schema.Number,
  ino: Schema.Number,
  offset: Schema.NonNegativeInt
})
export type FileCheckpoint = typeof FileCheckpoint.Type

export const Counters = Schema.Struct({
  read: Schema.NonNegativeInt,
  selected: Schema.NonNegativeInt,
  sent: Schema.NonNegativeInt,
  rejected: Schema.NonNegativeInt,
  expired: Schema.NonNegativeInt,
  skippedBadLine: Schema.NonNegativeInt,
  /** Events the service failed that the `skip` delivery policy passed (never sent again). */
  skipped: opt(Schema.NonNegativeInt)
})
export type Counters = typeof Counters.Type
export const zeroCounters: Counters = { read: 0, selected: 0, sent: 0, rejected: 0, expired: 0, skippedBadLine: 0 }

/** The outcome of one run of a task; `at` is epoch ms. */
export const TaskResult = Schema.Struct({
  at: Schema.Number,
  ok: Schema.Boolean,
  /** One line for the operator (never the token). */
  message: Schema.String
})
export type TaskResult = typeof TaskResult.Type

/** Events per hour, for the last-24-hours chart; `hour` is the epoch ms of the hour's start. */
export const HourBucket = Schema.Struct({
  hour: Schema.Number,
  seen: opt(Schema.NonNegativeInt),
  sent: Schema.NonNegativeInt,
  rejected: Schema.NonNegativeInt,
  expired: Schema.NonNegativeInt
})
export type HourBucket = typeof HourBucket.Type

/** The last `sensor-info` answer as printed (SPEC section 7), with when it was asked. */
export const SensorInfoRecord = Schema.Struct({
  at: Schema.Number,
  result: Schema.Record({ key: Schema.String, value: Schema.Unknown })
})

/** A network this host had (issue 25, point 3): kept for `--max-age` so that an address it had when an alert
 * was logged is still masked after the link flapped or DHCP changed it. Epoch ms. */
export const RememberedNetwork = Schema.Struct({
  cidr: Schema.String,
  firstSeen: Schema.Number,
  lastSeen: Schema.Number
})
export type RememberedNetwork = typeof RememberedNetwork.Type

/** An event at a checkpoint that was tried and not answered: its file, where its line ends, the attempts. */
export const Tried = Schema.Struct({ fingerprint: Schema.String, end: Schema.NonNegativeInt, tries: Schema.NonNegativeInt })
export type Tried = typeof Tried.Type

/** What delivery learned for the next run (issue 24 row 6). */
export const DeliveryMemory = Schema.Struct({
  /** The per-request deadline learned from timeouts. */
  deadlineMs: opt(Schema.NonNegativeInt),
  /** Attempts on the events at the checkpoints (the `skip` policy tries each at most 3 times in all). */
  tried: opt(Schema.Array(Tried))
})
export type DeliveryMemory = typeof DeliveryMemory.Type

/** The state file's format; a file naming a higher one was written by a newer agent and is left alone. */
export const STATE_VERSION = 1

export const AgentState = Schema.Struct({
  version: Schema.Literal(STATE_VERSION),
  files: Schema.Array(FileCheckpoint),
  counters: Counters,
  hourly: Schema.Array(HourBucket),
  lastSend: opt(TaskResult),
  delivery: opt(DeliveryMemory),
  lastHeartbeat: opt(TaskResult),
  lastSensorInfo: opt(SensorInfoRecord),
  /** The last `ok` answer, which `status` falls back to while the service cannot be reached. */
  lastSensorInfoOk: opt(SensorInfoRecord),
  lastRules: opt(Schema.extend(TaskResult, Schema.Struct({
    version: opt(Schema.String),
    categories: opt(Schema.Array(Schema.String)),
    enabled: opt(Schema.Union(Schema.Literal("all"), Schema.Array(Schema.String)))
  }))),
  /** This host's networks seen by earlier runs, oldest first out (domain/LocalNetworkMemory.ts). */
  localNetworks: opt(Schema.Array(RememberedNetwork))
})
export type AgentState = typeof AgentState.Type

export const emptyState: AgentState = { version: 1, files: [], counters: zeroCounters, hourly: [] }

/**
 * A state file's text as read: this version's state, a newer one, or corrupt. Only the known fields are kept
 * (issue 24 row 9): what else the file holds (a tool's additions, an older agent's copy of every key the
 * service sent) is dropped at the next rewrite.
 */
export type ParsedState =
  | { readonly kind: "ok"; readonly state: AgentState }
  | { readonly kind: "newer"; readonly version: number }
  | { readonly kind: "corrupt"; readonly why: string }

const decode = Schema.decodeUnknownEither(AgentState)
const encode = Schema.encodeSync(AgentState)

/** A recorded sensor-info answer, reduced to its known fields; dropped when it is not a record at all. */
const knownRecord = (r: unknown): unknown => {
  if (typeof r !== "object" || r === null) return undefined
  const { at, result } = r as { at?: unknown; result?: unknown }
  if (typeof at !== "number" || typeof result !== "object" || result === null || Array.isArray(result)) return undefined
  return { at, result: knownSensorInfoResult(result as Record<string, unknown>) }
}

export const parseState = (text: string): ParsedState => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return { kind: "corrupt", why: text.trim() === "" ? "empty" : "not JSON" }
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return { kind: "corrupt", why: "not an agent state" }
  const version = (json as { version?: unknown }).version
  if (typeof version === "number" && Number.isSafeInteger(version) && version > STATE_VERSION) return { kind: "newer", version }
  // Sensor-info results hold what the service sent: only the known fields of it (an older agent kept all).
  const cleaned: Record<string, unknown> = { ...(json as Record<string, unknown>) }
  for (const k of ["lastSensorInfo", "lastSensorInfoOk"]) {
    if (cleaned[k] === undefined) continue
    const r = knownRecord(cleaned[k])
    if (r === undefined) delete cleaned[k]
    else cleaned[k] = r
  }
  // The Schema keeps the known fields only: unknown keys, at any level, are not decoded.
  const d = decode(cleaned)
  if (Either.isLeft(d)) return { kind: "corrupt", why: "not an agent state" }
  return { kind: "ok", state: d.right }
}

/** The file's text: `state`'s known fields. */
export const renderState = (state: AgentState): string => JSON.stringify(encode(state)) + "\n"
