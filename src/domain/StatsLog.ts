/**
 * Suricata's `stats.log` (the text format, OISF/suricata src/log-stats.c): blocks appended every few seconds,
 *
 *     ------------------------------------------------------------------------------------
 *     Date: 11/27/2026 -- 10:00:08 (uptime: 0d, 01h 00m 08s)
 *     ------------------------------------------------------------------------------------
 *     Counter                                    | TM Name                   | Value
 *     ------------------------------------------------------------------------------------
 *     capture.kernel_packets                     | Total                     | 123456
 *     decoder.pkts                               | W#01-em0                  | 61000
 *
 * the `Total` rows first, then (with `threads: yes`) the per-thread rows, with no separator between them.
 *
 * The heartbeat reads it as the stock plugin's `telemetry/system.py` `log_stats()` does (opnsense/plugins
 * security/etpro-telemetry, plugin 1.8, lines 110-129): walking back from the end, the rows after the last
 * `------` line; of rows naming the same counter the topmost wins (so `Total` when Suricata writes totals, else
 * the first thread's row); a value is a number when it is all digits, else its text. A file with no `------`
 * line at all is read whole.
 */

/** The counters the heartbeat reports (SPEC section 6; system.py line 114). */
export const HEARTBEAT_COUNTERS = [
  "capture.kernel_packets",
  "decoder.pkts",
  "decoder.bytes",
  "decoder.ipv4",
  "decoder.ipv6",
  "flow.tcp",
  "flow.udp",
  "detect.alert"
] as const
export type HeartbeatCounter = (typeof HEARTBEAT_COUNTERS)[number]

/** A counter's value: digits become a number, anything else is kept as the text Suricata wrote. */
export type StatValue = number | string

export interface StatsBlock {
  readonly counters: ReadonlyMap<string, StatValue>
}

export interface StatsRows extends StatsBlock {
  /** Whether a `------` line bounded the rows (else they are every row of the text). */
  readonly bounded: boolean
}

const DIGITS = /^[0-9]+$/

const isSeparator = (line: string) => line.trim().startsWith("------")

/**
 * The rows of the last block of `text`, by the stock rule above. `partialFirstLine`: the text is a tail that
 * may start in the middle of a line, so its first line is not read (and a tail without a `------` line is not
 * bounded: the caller reads further back).
 */
export const lastStatsRows = (text: string, partialFirstLine = false): StatsRows => {
  const lines = text.split(/\r?\n/)
  const from = partialFirstLine ? 1 : 0
  const counters = new Map<string, StatValue>()
  // Walking back, as the stock reader does: a later assignment is a row further up, and wins.
  for (let i = lines.length - 1; i >= from; i--) {
    const line = lines[i]!
    if (isSeparator(line)) return { counters, bounded: true }
    const parts = line.split("|")
    if (parts.length !== 3) continue
    const value = parts[2]!.trim()
    counters.set(parts[0]!.trim(), DIGITS.test(value) ? Number(value) : value)
  }
  return { counters, bounded: false }
}

/** The heartbeat's `log_stats` from a stats.log that exists: every counter of interest, null when absent. */
export const heartbeatStats = (block: StatsBlock): Record<HeartbeatCounter, StatValue | null> => {
  const out = {} as Record<HeartbeatCounter, StatValue | null>
  for (const k of HEARTBEAT_COUNTERS) out[k] = block.counters.get(k) ?? null
  return out
}
