/**
 * Which records are sent at all (SPEC section 3): alerts only, only listed telemetry SIDs when there is a
 * list, and nothing older than the max age. Progress is by byte offset elsewhere: an old record is skipped,
 * never a reason to stop reading (eve logs are not time-ordered).
 */
import { parseTimestamp } from "./Timestamp.js"

export type Verdict = "send" | "not-alert" | "sid-not-listed" | "expired" | "bad-timestamp"

export interface SelectOptions {
  /** Telemetry SIDs; empty means every alert. */
  readonly sids: ReadonlySet<number>
  /** Epoch ms; records with an earlier timestamp are expired. Undefined: no age limit. */
  readonly notBefore: number | undefined
}

export const selectRecord = (record: unknown, opts: SelectOptions): Verdict => {
  if (typeof record !== "object" || record === null) return "not-alert"
  const r = record as Record<string, unknown>
  if (r.event_type !== "alert") return "not-alert"
  if (opts.sids.size > 0) {
    const alert = r.alert as Record<string, unknown> | undefined
    const sid = typeof alert === "object" && alert !== null ? alert.signature_id : undefined
    if (typeof sid !== "number" || !opts.sids.has(sid)) return "sid-not-listed"
  }
  const ts = typeof r.timestamp === "string" ? parseTimestamp(r.timestamp) : undefined
  if (ts === undefined) return "bad-timestamp"
  if (opts.notBefore !== undefined && ts < opts.notBefore) return "expired"
  return "send"
}
