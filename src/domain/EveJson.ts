/**
 * An eve line's JSON in and an event's JSON out, keeping 64-bit `flow_id`s exact (JSON numbers above 2^53
 * lose digits in JS).
 */
import type { SanitisedEvent } from "./EveRecord.js"

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

/**
 * Parses one eve line, keeping a 64-bit `flow_id` exact: JSON numbers above 2^53 lose digits in JS, so the
 * digits are taken from the text when the parsed number is not a safe integer.
 */
export const parseEveLine = (line: string): unknown => {
  const rec: unknown = JSON.parse(line)
  if (isObj(rec) && typeof rec.flow_id === "number" && !Number.isSafeInteger(rec.flow_id)) {
    const digits = onlyFlowIdDigits(line) ?? topLevelFlowIdDigits(line)
    // Only the top-level key counts: a nested `flow_id` is dropped, never sent in its place.
    if (digits !== undefined && Number(digits) === rec.flow_id) rec.flow_id = BigInt(digits)
  }
  return rec
}

const FLOW_ID_VALUE = /^\s*:\s*(\d{1,20})(?=[\s,}])/

/**
 * For a line known to have a top-level `flow_id`: its digits when `"flow_id"` occurs once and no `\u` escape
 * could spell another key as `flow_id` (the usual line), without walking the whole line; else undefined.
 */
const onlyFlowIdDigits = (line: string): string | undefined => {
  const first = line.indexOf('"flow_id"')
  if (first < 0 || line.indexOf('"flow_id"', first + 9) >= 0 || line.indexOf("\\u") >= 0) return undefined
  return FLOW_ID_VALUE.exec(line.slice(first + 9, first + 48))?.[1]
}

/**
 * The digits of the top-level `flow_id` of a JSON object text: the last occurrence at depth 1 (JSON.parse
 * keeps the last of duplicate keys). One pass over the text, skipping strings.
 */
export const topLevelFlowIdDigits = (line: string): string | undefined => {
  let depth = 0
  let found: string | undefined
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i)
    if (c === 34) {
      const start = i
      for (i++; i < line.length && line.charCodeAt(i) !== 34; i++) if (line.charCodeAt(i) === 92) i++
      if (depth === 1 && line.startsWith('"flow_id"', start) && i === start + 8) {
        const m = FLOW_ID_VALUE.exec(line.slice(i + 1, i + 40))
        if (m !== null) found = m[1]
      }
    } else if (c === 123 || c === 91) depth++
    else if (c === 125 || c === 93) depth--
  }
  return found
}

/** The JSON body for one event: bigints (64-bit flow ids) are written as plain JSON numbers. */
export const eventToJson = (event: SanitisedEvent): string => {
  if (typeof event.flow_id !== "bigint") return JSON.stringify(event)
  // The digits go in as a string and come out as a number. `"flow_id":"` can only be the top-level key:
  // inside a string value its quotes would be escaped, and no other level has a flow_id.
  const bigint = event.flow_id
  const digits = bigint.toString()
  // Swapped in place rather than copied: this runs for most real events (Suricata flow ids pass 2^53).
  const e = event as { flow_id?: unknown }
  e.flow_id = digits
  const json = JSON.stringify(event)
  e.flow_id = bigint
  return json.replace(`"flow_id":"${digits}"`, `"flow_id":${digits}`)
}
