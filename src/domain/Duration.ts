/** Durations on the command line: `90s`, `30m`, `1h`, `2d` (SPEC section 10). */
const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

export const parseDuration = (s: string): number | undefined => {
  const m = /^(\d+)([smhd])$/.exec(s.trim())
  return m === null ? undefined : Number(m[1]) * UNITS[m[2]!]!
}

export const formatDuration = (ms: number): string => {
  for (const [u, f] of [["d", 86_400_000], ["h", 3_600_000], ["m", 60_000]] as const) {
    if (ms >= f && ms % f === 0) return `${ms / f}${u}`
  }
  return `${Math.round(ms / 1000)}s`
}

/** An elapsed or remaining time for people: `0.6 s`, `4 s`, `1m 40s`, `2h 5m`. */
export const formatSpan = (ms: number): string => {
  if (ms < 10_000) return `${Math.round(ms / 100) / 10} s`
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s} s`
  if (s < 3600) return s % 60 === 0 ? `${s / 60}m` : `${Math.floor(s / 60)}m ${s % 60}s`
  const m = Math.round(s / 60)
  return m % 60 === 0 ? `${m / 60}h` : `${Math.floor(m / 60)}h ${m % 60}m`
}
