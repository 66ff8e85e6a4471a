/**
 * Suricata's `stats.log` (the text format): blocks appended every few seconds, each
 *
 *     ------------------------------------------------------------------------------------
 *     Date: 11/27/2026 -- 10:00:08 (uptime: 0d, 01h 00m 08s)
 *     ------------------------------------------------------------------------------------
 *     Counter                                       | TM Name                   | Value
 *     ------------------------------------------------------------------------------------
 *     capture.kernel_packets                        | Total                     | 123456
 *
 * With per-thread counters enabled, rows name a thread (`W#01-em0`) instead of `Total`. Only the last block
 * counts; a counter's value is its `Total` row, or the sum of its thread rows when there is no `Total` row.
 */

export interface StatsBlock {
  /** The text after `Date:`, as Suricata wrote it. */
  readonly date: string
  readonly counters: ReadonlyMap<string, number>
}

/** The counters the heartbeat reports (SPEC section 6). */
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

const DATE = /^Date:\s*(.*?)\s*$/
const INTEGER = /^\d+$/

/**
 * The last complete-looking block of `text` (a whole file or its tail), or undefined when there is none.
 * `partialFirstLine`: the text is a tail that may start in the middle of a line, whose first line is ignored.
 */
export const lastStatsBlock = (text: string, partialFirstLine = false): StatsBlock | undefined => {
  const lines = text.split(/\r?\n/)
  const from = partialFirstLine ? 1 : 0
  let dateAt = -1
  for (let i = lines.length - 1; i >= from; i--) {
    if (DATE.test(lines[i]!)) {
      dateAt = i
      break
    }
  }
  if (dateAt < 0) return undefined
  const date = DATE.exec(lines[dateAt]!)![1]!
  const totals = new Map<string, number>()
  const threadSums = new Map<string, number>()
  for (let i = dateAt + 1; i < lines.length; i++) {
    const parts = lines[i]!.split("|")
    if (parts.length !== 3) continue
    const name = parts[0]!.trim()
    const tm = parts[1]!.trim()
    const value = parts[2]!.trim()
    if (name === "Counter" || !INTEGER.test(value)) continue
    const n = Number(value)
    if (tm === "Total") totals.set(name, n)
    else threadSums.set(name, (threadSums.get(name) ?? 0) + n)
  }
  const counters = new Map(threadSums)
  for (const [k, v] of totals) counters.set(k, v)
  return { date, counters }
}

/** The heartbeat's `log_stats`: every counter of interest, null when the block lacks it. */
export const heartbeatStats = (block: StatsBlock): Record<HeartbeatCounter, number | null> => {
  const out = {} as Record<HeartbeatCounter, number | null>
  for (const k of HEARTBEAT_COUNTERS) out[k] = block.counters.get(k) ?? null
  return out
}
