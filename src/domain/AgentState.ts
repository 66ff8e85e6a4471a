/**
 * The agent's durable state (`state.json`): the eve checkpoint, counters and the last result of every task,
 * which `status` and the web page show. Written atomically by the StateStore adapter.
 */
import { Either, Schema } from "effect"

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
  })))
})
export type AgentState = typeof AgentState.Type

export const emptyState: AgentState = { version: 1, files: [], counters: zeroCounters, hourly: [] }

/** A state file's text as read: this version's state (and the fields it does not know), a newer one, or corrupt. */
export type ParsedState =
  | { readonly kind: "ok"; readonly state: AgentState; readonly extra: Readonly<Record<string, unknown>> }
  | { readonly kind: "newer"; readonly version: number }
  | { readonly kind: "corrupt"; readonly why: string }

const decode = Schema.decodeUnknownEither(AgentState)
const encode = Schema.encodeSync(AgentState)
const KNOWN = new Set(Object.keys(AgentState.fields))

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
  const d = decode(json)
  if (Either.isLeft(d)) return { kind: "corrupt", why: "not an agent state" }
  // Fields a later minor change added (or a tool wrote) survive this version's rewrites.
  const extra = Object.fromEntries(Object.entries(json).filter(([k]) => !KNOWN.has(k)))
  return { kind: "ok", state: d.right, extra }
}

/** The file's text: `state`, with the fields this version does not know kept as they were. */
export const renderState = (state: AgentState, extra: Readonly<Record<string, unknown>> = {}): string =>
  JSON.stringify({ ...extra, ...encode(state) }) + "\n"
