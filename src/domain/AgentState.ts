/**
 * The agent's durable state (`state.json`): the eve checkpoint, counters and the last result of every task,
 * which `status` and the web page show. Written atomically by the StateStore adapter.
 */
import { Schema } from "effect"

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
  skippedBadLine: Schema.NonNegativeInt
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

export const AgentState = Schema.Struct({
  version: Schema.Literal(1),
  files: Schema.Array(FileCheckpoint),
  counters: Counters,
  hourly: Schema.Array(HourBucket),
  lastSend: opt(TaskResult),
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
