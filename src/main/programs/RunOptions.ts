/**
 * What `run` is asked to do, as one Schema: decoded once from its flags (src/main/commands/RunCommand.ts).
 * The events task reads the same fields as `send-events` (./SendEventsOptions.ts); the schedule, the status
 * page and the rules task read the rest.
 */
import { Schema } from "effect"
import { HOUR, MINUTE, type TaskName } from "../../domain/Schedule.js"
import { parseDuration } from "../../domain/Duration.js"
import { Categories, decodeOnly, fromFlag, listenAt, OptionalText, optionalFlag, pathFields, RulesAtMs, serviceFields } from "../../domain/OptionSchemas.js"
import { deliveryFields } from "./SendEventsOptions.js"

const TASKS: Record<string, TaskName> = {
  events: "events",
  "send-events": "events",
  heartbeat: "heartbeat",
  "send-heartbeat": "heartbeat",
  "sensor-info": "sensorInfo",
  rules: "rules"
}

const TaskNames = Schema.Array(Schema.Literal("events", "heartbeat", "sensorInfo", "rules"))

/** `--tasks LIST`: the enabled tasks, each once. */
const Tasks = decodeOnly(Schema.String, TaskNames, (text) => {
  const enabled: Array<TaskName> = []
  for (const t of text.split(",").map((s) => s.trim()).filter((s) => s !== "")) {
    const name = TASKS[t]
    if (name === undefined) return `--tasks: ${JSON.stringify(t)} is not one of events, heartbeat, sensor-info, rules`
    if (!enabled.includes(name)) enabled.push(name)
  }
  return { ok: enabled }
})

/** `--tick`: milliseconds (`100ms`) or a duration (`1s`), at most a minute; absent: real time (one minute). */
const TickMs = decodeOnly(Schema.OptionFromSelf(Schema.String), Schema.Positive, (given) => {
  if (given._tag === "None") return { ok: MINUTE }
  const ms = /^(\d+)ms$/.exec(given.value.trim())
  const tick = ms !== null ? Number(ms[1]) : parseDuration(given.value)
  return tick !== undefined && tick > 0 && tick <= MINUTE ? { ok: tick } : `--tick ${JSON.stringify(given.value)} is not a duration of at most 1m`
})

const RulesJitterMs = decodeOnly(Schema.String, Schema.NonNegativeInt, (text) => {
  const ms = text === "0" ? 0 : parseDuration(text)
  return ms !== undefined && ms <= 24 * HOUR ? { ok: ms } : `--rules-jitter ${JSON.stringify(text)} is not a duration up to 1d`
})

const GraceSeconds = decodeOnly(Schema.Int, Schema.NonNegativeInt, (n) => (n >= 0 ? { ok: n } : `--stop-grace ${n} must be 0 or more seconds`))

// Field order is the order the flags are checked in (the first failure is the one reported).
export const RunOptions = Schema.Struct({
  ...pathFields,
  ...serviceFields,
  tasks: Tasks,
  graceSeconds: GraceSeconds,
  tickMs: fromFlag("tick", TickMs),
  ...deliveryFields,
  rulesAtMs: fromFlag("rulesAt", RulesAtMs),
  rulesJitterMs: fromFlag("rulesJitter", RulesJitterMs),
  categories: optionalFlag(Categories),
  reloadCommand: OptionalText,
  /** `--status-listen HOST:PORT`: also serve the status page. */
  statusListen: optionalFlag(listenAt("--status-listen: ")),
  /** `--now`: every task once at start. */
  now: Schema.Boolean
})
export type RunOptions = typeof RunOptions.Type
