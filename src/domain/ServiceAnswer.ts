/**
 * The service's answers, decoded rather than trusted (issue 24 row 9). Before an answer is parsed or
 * walked, its nesting is bounded (`jsonTextDeeperThan` scans the text, `valueDeeperThan` a parsed value,
 * both without recursion); then a Schema keeps only the fields the agent knows, each of the type it expects
 * and of bounded length: anything else the service sends is dropped, never printed, stored or served.
 */
import { Option, Schema } from "effect"

/** No answer of the API nests deeper than 3; 32 leaves room and stays far from any stack limit. */
export const MAX_ANSWER_DEPTH = 32

export const tooDeepMessage = (max = MAX_ANSWER_DEPTH): string => `answer not understood (nested deeper than ${max})`

/** Whether JSON text nests arrays/objects deeper than `max`: one pass over the text, strings skipped. */
export const jsonTextDeeperThan = (text: string, max = MAX_ANSWER_DEPTH): boolean => {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92) i++ // backslash: the next character is escaped
      else if (c === 34) inString = false
    } else if (c === 34) inString = true
    else if (c === 123 || c === 91) {
      if (++depth > max) return true
    } else if (c === 125 || c === 93) depth--
  }
  return false
}

/** Whether a parsed value nests deeper than `max` (an explicit stack: a hostile value cannot overflow it). */
export const valueDeeperThan = (value: unknown, max = MAX_ANSWER_DEPTH): boolean => {
  const stack: Array<[unknown, number]> = [[value, 0]]
  while (stack.length > 0) {
    const [v, d] = stack.pop()!
    if (typeof v !== "object" || v === null) continue
    if (d + 1 > max) return true
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === "object" && child !== null) stack.push([child, d + 1])
    }
  }
  return false
}

/** Text fields: bounded, so an answer cannot fill the state file or the terminal. */
const Text = Schema.String.pipe(Schema.maxLength(256))
const Time = Schema.NullOr(Text)
const Count = Schema.NonNegativeInt

/**
 * `GET /api/v1/sensorinfo` (SPEC section 2; the reference service's src/reference/Api.ts `sensorInfo`):
 * the fields the agent knows. Each is optional: a field that is missing, or not of its type, is left out
 * (the status then says what it does not know) rather than failing the whole answer.
 */
export const SensorInfoFields = {
  sensor_status: Text,
  last_heartbeat: Time,
  last_rule_download: Time,
  event_received: Time,
  created: Time,
  disable_date: Time,
  ruleset: Schema.NullOr(Text),
  next_status: Schema.NullOr(Schema.Struct({ status: Text, at: Time, unless: Text })),
  sensor_id: Text,
  events_received: Count,
  heartbeats_received: Count
} as const

const fieldDecoders = Object.entries(SensorInfoFields).map(
  ([k, s]) => [k, Schema.decodeUnknownOption(s as Schema.Schema<unknown, unknown>)] as const
)

const knownFields = (given: Readonly<Record<string, unknown>>): Record<string, unknown> => {
  const fields: Record<string, unknown> = {}
  for (const [k, decode] of fieldDecoders) {
    if (!Object.hasOwn(given, k)) continue
    const v = decode(given[k])
    if (Option.isSome(v)) fields[k] = v.value
  }
  return fields
}

export const SensorInfoAnswer = Schema.partial(Schema.Struct(SensorInfoFields))
export type SensorInfoAnswer = typeof SensorInfoAnswer.Type

/**
 * The known fields of a sensorinfo answer, each decoded by its Schema; unknown keys and values of the wrong
 * type dropped. An answer nested deeper than MAX_ANSWER_DEPTH is refused (`tooDeepMessage`).
 */
export const decodeSensorInfo = (answer: unknown): { readonly fields: SensorInfoAnswer } | { readonly error: string } => {
  if (valueDeeperThan(answer)) return { error: tooDeepMessage() }
  if (typeof answer !== "object" || answer === null || Array.isArray(answer)) return { error: "answer not understood (not a JSON object)" }
  return { fields: knownFields(answer as Record<string, unknown>) as SensorInfoAnswer }
}

/**
 * What `sensor-info` prints and the state keeps as its result, reduced to what the agent knows: `status`
 * (ok, failed, unconfigured), a failure's `response`, and the known service fields. Applied to a state file
 * an older agent wrote with every key the service sent, so its next rewrite drops them.
 */
export const knownSensorInfoResult = (result: Readonly<Record<string, unknown>>): Record<string, unknown> => {
  const status = typeof result["status"] === "string" ? result["status"] : "unknown"
  const response = result["response"]
  return { status, ...(typeof response === "string" ? { response } : {}), ...knownFields(result) }
}

/** `GET /api/v1/ruleset/version`'s version: a short token (digits, dots, dashes...), used in names and messages. */
export const RulesetVersion = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(64), Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9._:+-]*$/))

/** The version, or why it is not understood. */
export const decodeRulesetVersion = (v: string): { readonly version: string } | { readonly error: string } =>
  Option.match(Schema.decodeUnknownOption(RulesetVersion)(v), {
    onSome: (version) => ({ version }),
    onNone: () => ({ error: `answer not understood (ruleset version ${JSON.stringify(v.slice(0, 40))} is not a version)` })
  })
