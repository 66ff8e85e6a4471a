/**
 * This host's networks remembered across runs (issue 25, point 3). An alert logged while the WAN address was
 * 198.51.100.33 may be sent after a PPPoE reconnect or a DHCP renewal gave another one; the old network must
 * still count as local. Every network seen is kept with when it was first and last seen, for `--max-age`
 * (older alerts are never sent, so older networks are not needed), at most MAX_REMEMBERED of them, the least
 * recently seen dropped first.
 */
import type { RememberedNetwork } from "./AgentState.js"

export const MAX_REMEMBERED = 256
/** A network still present is re-stamped at most this often: no state write per run for nothing new. */
export const RESTAMP_MS = 60 * 60 * 1000

/** The remembered networks still within `--max-age` (undefined: off, all kept) at `now`, with the re-stamp slack. */
export const liveMemory = (
  memory: ReadonlyArray<RememberedNetwork>,
  now: number,
  maxAgeMs: number | undefined
): Array<RememberedNetwork> => memory.filter((m) => maxAgeMs === undefined || m.lastSeen >= now - maxAgeMs - RESTAMP_MS)

/**
 * The memory after a run that saw `current` (CIDR texts) at `now`: new networks added, present ones
 * re-stamped, expired ones dropped, then bounded (the least recently seen first out).
 */
export const rememberNetworks = (
  memory: ReadonlyArray<RememberedNetwork>,
  current: ReadonlyArray<string>,
  now: number,
  maxAgeMs: number | undefined,
  limit = MAX_REMEMBERED
): Array<RememberedNetwork> => {
  const byCidr = new Map(liveMemory(memory, now, maxAgeMs).map((m) => [m.cidr, m]))
  for (const cidr of new Set(current)) {
    const seen = byCidr.get(cidr)
    byCidr.set(cidr, { cidr, firstSeen: seen?.firstSeen ?? now, lastSeen: now })
  }
  return [...byCidr.values()].sort((a, b) => b.lastSeen - a.lastSeen || a.cidr.localeCompare(b.cidr)).slice(0, limit)
}

/** Whether the state file needs the new memory: a network is new, one expired, or one is due a re-stamp. */
export const memoryChanged = (
  memory: ReadonlyArray<RememberedNetwork>,
  current: ReadonlyArray<string>,
  now: number,
  maxAgeMs: number | undefined
): boolean => {
  const live = liveMemory(memory, now, maxAgeMs)
  if (live.length !== memory.length) return true
  const known = new Map(live.map((m) => [m.cidr, m]))
  return current.some((c) => {
    const m = known.get(c)
    return m === undefined || now - m.lastSeen >= RESTAMP_MS
  })
}
