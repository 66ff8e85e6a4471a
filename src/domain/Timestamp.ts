/**
 * Suricata timestamps: `YYYY-MM-DDTHH:MM:SS[.ffffff]` with `Z`, `±HHMM`, `±HH:MM` or `±HH`.
 * Parsed by hand to epoch milliseconds (any offset, e.g. +0530, +1030, -0700). The format is exactly
 * `^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)$`, read by
 * position rather than by that regex: it runs twice on every alert (selection and the sanitiser).
 */

/** The digit at `i` (0-9), or -1. */
const digit = (s: string, i: number): number => {
  const c = s.charCodeAt(i) - 48
  return c >= 0 && c <= 9 ? c : -1
}

/** The `n` digits from `i` as a number, or -1 when one is not a digit. */
const digits = (s: string, i: number, n: number): number => {
  let v = 0
  for (let k = i; k < i + n; k++) {
    const d = digit(s, k)
    if (d < 0) return -1
    v = v * 10 + d
  }
  return v
}

/** The fields, where the fraction's digits are and what the zone says, of the text last read by `format` (synchronous use only). */
const read = { y: 0, mo: 0, d: 0, h: 0, mi: 0, se: 0, fracFrom: 0, fracTo: 0, sign: 0, oh: 0, om: 0 }

/** Whether `s` is in the format; fills `read` when it is. Every fixed field is checked for digits here. */
const format = (s: string): boolean => {
  const len = s.length
  if (len < 20) return false
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return false
  const t = s.charCodeAt(10)
  if (t !== 84 && t !== 32) return false
  read.y = digits(s, 0, 4)
  read.mo = digits(s, 5, 2)
  read.d = digits(s, 8, 2)
  read.h = digits(s, 11, 2)
  read.mi = digits(s, 14, 2)
  read.se = digits(s, 17, 2)
  if (read.y < 0 || read.mo < 0 || read.d < 0 || read.h < 0 || read.mi < 0 || read.se < 0) return false
  let p = 19
  read.fracFrom = p
  read.fracTo = p
  if (s.charCodeAt(p) === 46) {
    let e = p + 1
    while (e < len && digit(s, e) >= 0) e++
    if (e === p + 1 || e - p - 1 > 9) return false
    read.fracFrom = p + 1
    read.fracTo = e
    p = e
  }
  const z = s.charCodeAt(p)
  if (z === 90) {
    read.sign = 0
    return p + 1 === len
  }
  if (z !== 43 && z !== 45) return false
  read.sign = z === 45 ? -1 : 1
  read.oh = digits(s, p + 1, 2)
  if (read.oh < 0) return false
  read.om = 0
  let q = p + 3
  if (q === len) return true
  if (s.charCodeAt(q) === 58) q++
  read.om = digits(s, q, 2)
  return read.om >= 0 && q + 2 === len
}

export const parseTimestamp = (s: string): number | undefined => {
  if (!format(s)) return undefined
  const { mo: month, d: day, h: hour, mi: minute, se: second } = read
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined
  const ms = read.fracTo === read.fracFrom ? 0 : Math.floor(Number(`0.${s.slice(read.fracFrom, read.fracTo)}`) * 1000)
  let offsetMin = 0
  if (read.sign !== 0) {
    if (read.oh > 23 || read.om > 59) return undefined
    offsetMin = read.sign * (read.oh * 60 + read.om)
  }
  const utc = Date.UTC(read.y, month - 1, day, hour, minute, second, ms)
  // Date.UTC rolls 31 February over into March: reject such dates.
  if (new Date(utc).getUTCDate() !== day && second !== 60) return undefined
  return utc - offsetMin * 60_000
}

/** A string in exactly the timestamp format: digits and separators only, so it cannot spell an address. */
export const isTimestampText = (s: string): boolean => format(s)
