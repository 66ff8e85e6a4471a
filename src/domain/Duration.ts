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
