/**
 * The delivery ledger, pure: what a run counted (read, selected, sent, rejected, expired, bad lines) and the
 * per-hour buckets the status chart shows (alerts seen, sent, rejected, expired), with the arithmetic that
 * folds a run's deltas into the stored state. Every time is passed in.
 */
import type { Counters, HourBucket } from "./AgentState.js"
import { formatDuration } from "./Duration.js"

export const HOUR = 3_600_000

/** Hourly buckets kept: a week (the status widget charts the last 24 hours). */
export const KEEP_HOURS = 168

export type MutableCounters = { -readonly [K in keyof Counters]: number }

/** What an hourly bucket counts: `seen` = alerts selected, in the hour they were read. */
export type BucketKey = "seen" | "sent" | "rejected" | "expired"

export const zeroCounters = (): MutableCounters => ({
  read: 0, selected: 0, sent: 0, rejected: 0, expired: 0, skippedBadLine: 0
})

export const addCounters = (a: Counters, b: Counters): Counters => ({
  read: a.read + b.read,
  selected: a.selected + b.selected,
  sent: a.sent + b.sent,
  rejected: a.rejected + b.rejected,
  expired: a.expired + b.expired,
  skippedBadLine: a.skippedBadLine + b.skippedBadLine
})

export const subCounters = (a: Counters, b: Counters): Counters => ({
  read: a.read - b.read,
  selected: a.selected - b.selected,
  sent: a.sent - b.sent,
  rejected: a.rejected - b.rejected,
  expired: a.expired - b.expired,
  skippedBadLine: a.skippedBadLine - b.skippedBadLine
})

export const hourOf = (ms: number): number => Math.floor(ms / HOUR) * HOUR

/** The sum of two buckets of one hour (`seen` only where either counted it: older state files lack it). */
export const addBuckets = (a: HourBucket, b: HourBucket): HourBucket => {
  const sum = { hour: a.hour, sent: a.sent + b.sent, rejected: a.rejected + b.rejected, expired: a.expired + b.expired }
  return a.seen === undefined && b.seen === undefined ? sum : { ...sum, seen: (a.seen ?? 0) + (b.seen ?? 0) }
}

/** Counts one more `k` in the hour of `now`, in a run's own accumulation (not copied: once per alert). */
export const bumpHour = (buckets: Map<number, HourBucket>, now: number, k: BucketKey): void => {
  const hour = hourOf(now)
  const one: HourBucket = { hour, sent: 0, rejected: 0, expired: 0, [k]: 1 }
  const b = buckets.get(hour)
  buckets.set(hour, b === undefined ? one : addBuckets(b, one))
}

/** Adds per-hour deltas to the stored buckets and drops those older than KEEP_HOURS, oldest first. */
export const mergeHourly = (
  stored: ReadonlyArray<HourBucket>,
  delta: Iterable<HourBucket>,
  now: number
): Array<HourBucket> => {
  const byHour = new Map(stored.map((b) => [b.hour, b]))
  for (const d of delta) {
    const b = byHour.get(d.hour)
    byHour.set(d.hour, b === undefined ? d : addBuckets(b, d))
  }
  const oldest = hourOf(now) - (KEEP_HOURS - 1) * HOUR
  return [...byHour.values()].filter((b) => b.hour >= oldest).sort((a, b) => a.hour - b.hour)
}

/**
 * What the outbound step made of the lines read, in the words every summary uses (send-events, dump, replay,
 * demo): expired (`ageLimit` names the limit), selected of lines read, bad lines skipped.
 */
export const selectionWords = (
  c: Pick<Counters, "read" | "selected" | "expired" | "skippedBadLine">,
  ageLimit: string | undefined
): string =>
  `${c.expired} expired${ageLimit === undefined ? "" : ` (older than ${ageLimit})`}, ` +
  `${c.selected} selected of ${c.read} lines, ${c.skippedBadLine} bad lines skipped`

/** A delivery's counters: sent, rejected, then the selection. `maxAgeMs` undefined: `--max-age off`. */
export const ledgerSummary = (c: Counters, maxAgeMs: number | undefined): string =>
  `${c.sent} sent, ${c.rejected} rejected, ${selectionWords(c, maxAgeMs === undefined ? undefined : formatDuration(maxAgeMs))}`
