/**
 * The chart's figures (pure): alerts seen (selected for sending) and sent, per hour for the last 24 hours and
 * per UTC day for the last 7 days, from the agent's hourly buckets. A slot whose buckets were written by a
 * version that did not count `seen` has `seen: null` (not known), never a made-up 0.
 */
import type { HourBucket } from "./AgentState.js"

const HOUR = 3_600_000
const DAY = 24 * HOUR

export interface SeriesPoint {
  /** Not known (null) where older versions did not count it. */
  readonly seen: number | null
  readonly sent: number
}
/** `hour`: its start, ISO 8601. */
export type HourPoint = SeriesPoint & { readonly hour: string }
/** `day`: the start of the UTC day, ISO 8601. */
export type DayPoint = SeriesPoint & { readonly day: string }

export interface AlertSeries {
  /** 24 points, oldest first; the last is the current hour so far. */
  readonly hourly: ReadonlyArray<HourPoint>
  /** 7 points, oldest first; the last is today (UTC) so far. */
  readonly daily: ReadonlyArray<DayPoint>
  /** Sums over the last 24 hours. */
  readonly last24h: { readonly sent: number; readonly rejected: number; readonly expired: number }
}

interface Slot {
  seen: number | null
  sent: number
}

/** Sums the buckets falling in [from, from + n * size) into n slots of `size` ms. */
const slots = (buckets: ReadonlyArray<HourBucket>, from: number, n: number, size: number) => {
  const acc: Array<Slot> = Array.from({ length: n }, () => ({ seen: 0, sent: 0 }))
  for (const b of buckets) {
    const i = Math.floor((b.hour - from) / size)
    if (i < 0 || i >= n) continue
    const s = acc[i]!
    s.sent += b.sent
    s.seen = s.seen === null || b.seen === undefined ? null : s.seen + b.seen
  }
  return acc.map((s, i) => ({ at: new Date(from + i * size).toISOString(), seen: s.seen, sent: s.sent }))
}

export const alertSeries = (buckets: ReadonlyArray<HourBucket>, now: number): AlertSeries => {
  const hourNow = Math.floor(now / HOUR) * HOUR
  const firstHour = hourNow - 23 * HOUR
  const dayNow = Math.floor(now / DAY) * DAY
  const last24h = { sent: 0, rejected: 0, expired: 0 }
  for (const b of buckets) {
    if (b.hour < firstHour || b.hour >= hourNow + HOUR) continue
    last24h.sent += b.sent
    last24h.rejected += b.rejected
    last24h.expired += b.expired
  }
  return {
    hourly: slots(buckets, firstHour, 24, HOUR).map(({ at, ...p }) => ({ hour: at, ...p })),
    daily: slots(buckets, dayNow - 6 * DAY, 7, DAY).map(({ at, ...p }) => ({ day: at, ...p })),
    last24h
  }
}
