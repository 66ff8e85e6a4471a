/**
 * The progress line a long run shows on a terminal, rewritten in place (`sending: 1,234 of ~5,000 alerts,
 * 310/s`). Pure: the adapter (src/adapters/Progress.ts) decides when and where it is drawn.
 */

/** At most this often is the line redrawn (4 a second: readable, and cheap). */
export const PROGRESS_EVERY_MS = 250

/** The rate is shown once the run has gone on this long (before, it swings too much to read). */
const RATE_AFTER_MS = 1000

export interface ProgressCount {
  /** What is being done: `sending`, `reading /var/log/suricata/eve.json`. */
  readonly doing: string
  readonly done: number
  /** `alerts`, `lines`. */
  readonly unit: string
  /** How many there will be, when known or estimated. */
  readonly total?: number | undefined
  /** The total is an estimate (shown as `~5,000`). */
  readonly estimated?: boolean
  /** Said after the rate: `1,200 printed`. */
  readonly detail?: string | undefined
}

/** 1234567 → `1,234,567` (the same on every locale). */
export const grouped = (n: number): string => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",")

export const progressLine = (p: ProgressCount, elapsedMs: number): string => {
  // An estimate below what is already done is wrong: never show "1,300 of ~1,200".
  const of = p.total === undefined ? "" : ` of ${p.estimated === true ? "~" : ""}${grouped(Math.max(p.total, p.done))}`
  const rate = elapsedMs >= RATE_AFTER_MS ? `, ${grouped((p.done * 1000) / elapsedMs)}/s` : ""
  const detail = p.detail === undefined ? "" : `, ${p.detail}`
  return `${p.doing}: ${grouped(p.done)}${of} ${p.unit}${rate}${detail}`
}

/**
 * The total to expect when `found` items were found in the first `bytesRead` of `bytesPlanned` bytes, assuming
 * the rest is alike; undefined before anything was read.
 */
export const estimateTotal = (found: number, bytesRead: number, bytesPlanned: number): number | undefined =>
  bytesRead <= 0 ? undefined : bytesRead >= bytesPlanned ? found : Math.round((found * bytesPlanned) / bytesRead)

/** send-events: `answered` of the alerts selected so far, the total estimated until every planned byte is read. */
export const sendingCount = (answered: number, selected: number, bytesRead: number, bytesPlanned: number): ProgressCount => ({
  doing: "sending",
  done: answered,
  unit: "alerts",
  total: estimateTotal(selected, bytesRead, bytesPlanned),
  estimated: bytesRead < bytesPlanned
})
