/**
 * The delivery ledger, pure: what a run counted (read, selected, sent, rejected, expired, bad lines) and the
 * per-hour buckets the status chart shows (alerts seen, sent, rejected, expired), with the arithmetic that
 * folds a run's deltas into the stored state. Every time is passed in.
 */
import type { Counters, HourBucket } from "./AgentState.js"
import { formatDuration } from "./Duration.js"
import type { Outbound } from "./Outbound.js"

export const HOUR = 3_600_000

/** Hourly buckets kept: a week (the status widget charts the last 24 hours). */
export const KEEP_HOURS = 168

export type MutableCounters = { -readonly [K in keyof Counters]-?: number }

/** What an hourly bucket counts: `seen` = alerts selected, in the hour they were read. */
export type BucketKey = "seen" | "sent" | "rejected" | "expired"

export const zeroCounters = (): MutableCounters => ({
  read: 0, selected: 0, sent: 0, rejected: 0, expired: 0, skippedBadLine: 0, skipped: 0
})

/** `skipped` only where either counts it (older state files lack it). */
const withSkipped = (c: Omit<Counters, "skipped">, a: Counters, b: Counters, sign: 1 | -1): Counters =>
  a.skipped === undefined && b.skipped === undefined ? c : { ...c, skipped: (a.skipped ?? 0) + sign * (b.skipped ?? 0) }

export const addCounters = (a: Counters, b: Counters): Counters =>
  withSkipped({
    read: a.read + b.read,
    selected: a.selected + b.selected,
    sent: a.sent + b.sent,
    rejected: a.rejected + b.rejected,
    expired: a.expired + b.expired,
    skippedBadLine: a.skippedBadLine + b.skippedBadLine
  }, a, b, 1)

export const subCounters = (a: Counters, b: Counters): Counters =>
  withSkipped({
    read: a.read - b.read,
    selected: a.selected - b.selected,
    sent: a.sent - b.sent,
    rejected: a.rejected - b.rejected,
    expired: a.expired - b.expired,
    skippedBadLine: a.skippedBadLine - b.skippedBadLine
  }, a, b, -1)

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

/** What the outbound step counts of the lines read. */
export type LineCounts = Pick<MutableCounters, "read" | "selected" | "expired" | "skippedBadLine">

export const zeroLineCounts = (): LineCounts => ({ read: 0, selected: 0, expired: 0, skippedBadLine: 0 })

/**
 * The line counts of one file that wait for its checkpoint (issue 15 row 15): lines a run read count in the
 * stored ledger only once the checkpoint has passed them. Lines read but not got past (a refused token,
 * SIGTERM, the retry budget spent) are read again by the next run, and counted by that run: once.
 */
export class PendingCounts {
  private marks: Array<{ readonly end: number; readonly hour: number; readonly counts: LineCounts }> = []

  /** The counts of the lines up to file offset `end` (after the previous mark), read at `now`. */
  mark(end: number, now: number, counts: LineCounts): void {
    if (counts.read + counts.selected + counts.expired + counts.skippedBadLine > 0) this.marks.push({ end, hour: hourOf(now), counts })
  }

  /** Moves the counts at or before `offset` into `into`, and their alerts seen and expired into `hourly`. */
  settle(offset: number, into: MutableCounters, hourly: Map<number, HourBucket>): void {
    let n = 0
    for (const { end, hour, counts: c } of this.marks) {
      if (end > offset) break
      n++
      into.read += c.read
      into.selected += c.selected
      into.expired += c.expired
      into.skippedBadLine += c.skippedBadLine
      const b: HourBucket = { hour, sent: 0, rejected: 0, expired: c.expired, seen: c.selected }
      const cur = hourly.get(hour)
      hourly.set(hour, cur === undefined ? b : addBuckets(cur, b))
    }
    this.marks.splice(0, n)
  }
}

/** A batch of complete lines read from one file (the eve log source's). */
export interface LinesRead {
  /** The lines that may be alerts, each with the file offset after it and the batch's counts up to it. */
  readonly lines: ReadonlyArray<string>
  readonly ends: ReadonlyArray<number>
  readonly countedTo: ReadonlyArray<number>
  readonly badTo: ReadonlyArray<number>
  /** The offset after the batch, its lines and its bad lines (over-long, not UTF-8). */
  readonly end: number
  readonly lineCount: number
  readonly bad: number
}

/**
 * One batch through the outbound step (`step`: a line's verdict): counted at once in `run` (the run's own
 * summary) and, marked at each selected line's end and at the batch's end, in `pending` (what the state may
 * count once the checkpoint passes it); `send` takes each selected line's body and end offset.
 */
export const countBatch = (
  batch: LinesRead,
  now: number,
  step: (line: string) => Outbound,
  run: MutableCounters,
  pending: PendingCounts,
  send: (json: string, end: number) => void
): void => {
  run.read += batch.lineCount
  run.skippedBadLine += batch.bad
  let d = zeroLineCounts()
  let linesTo = 0
  let badTo = 0
  const mark = (end: number, lines: number, bad: number) => {
    d.read += lines - linesTo
    d.skippedBadLine += bad - badTo
    pending.mark(end, now, d)
    d = zeroLineCounts()
    linesTo = lines
    badTo = bad
  }
  for (let i = 0; i < batch.lines.length; i++) {
    const o = step(batch.lines[i]!)
    if (o.verdict === "expired") {
      run.expired++
      d.expired++
    } else if (o.verdict === "bad-line" || o.verdict === "bad-timestamp") {
      run.skippedBadLine++
      d.skippedBadLine++
    }
    if (o.verdict !== "send") continue
    run.selected++
    d.selected++
    mark(batch.ends[i]!, batch.countedTo[i]!, batch.badTo[i]!)
    send(o.json, batch.ends[i]!)
  }
  mark(batch.end, batch.lineCount, batch.bad)
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

/** A delivery's counters: sent, rejected, skipped (when any), then the selection. `maxAgeMs` undefined: `--max-age off`. */
export const ledgerSummary = (c: Counters, maxAgeMs: number | undefined): string =>
  `${c.sent} sent, ${c.rejected} rejected, ${(c.skipped ?? 0) > 0 ? `${c.skipped} skipped, ` : ""}${selectionWords(c, maxAgeMs === undefined ? undefined : formatDuration(maxAgeMs))}`

/**
 * The one line a run says when its log held NUL bytes (issue 24 row 2): they were read as line breaks, so
 * the alert after a crash's zero fill is still delivered. `n` is the splitter's `nulBytes` summed.
 */
export const nulBytesNote = (n: number): string =>
  `${n} NUL byte${n === 1 ? "" : "s"} in the log read as line breaks (zero fill after a crash or a copytruncate); the lines around them were read`
