/**
 * Suricata timestamps: `YYYY-MM-DDTHH:MM:SS[.ffffff]` with `Z`, `±HHMM`, `±HH:MM` or `±HH`.
 * Parsed by hand to epoch milliseconds (any offset, e.g. +0530, +1030, -0700).
 */
const RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)$/

export const parseTimestamp = (s: string): number | undefined => {
  const m = RE.exec(s)
  if (m === null) return undefined
  const [, y, mo, d, h, mi, se, frac, tz] = m
  const month = Number(mo)
  const day = Number(d)
  const hour = Number(h)
  const minute = Number(mi)
  const second = Number(se)
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined
  const ms = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000)
  let offsetMin = 0
  if (tz !== "Z") {
    const sign = tz!.startsWith("-") ? -1 : 1
    const digits = tz!.slice(1).replace(":", "")
    const oh = Number(digits.slice(0, 2))
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0
    if (oh > 23 || om > 59) return undefined
    offsetMin = sign * (oh * 60 + om)
  }
  const utc = Date.UTC(Number(y), month - 1, day, hour, minute, second, ms)
  // Date.UTC rolls 31 February over into March: reject such dates.
  if (new Date(utc).getUTCDate() !== day && second !== 60) return undefined
  return utc - offsetMin * 60_000
}

/** A string in exactly the timestamp format: digits and separators only, so it cannot spell an address. */
export const isTimestampText = (s: string): boolean => RE.test(s)
