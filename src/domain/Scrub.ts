/**
 * Masks local addresses written inside free text (a TLS subject, an SNI, a Host header...).
 *
 * What counts as "an address written in the text" (the privacy invariant uses the same reading):
 * - IPv4: four dot-separated groups of 1-3 decimal digits, not touching another digit; every such window of a
 *   longer dotted run counts (`1.10.0.0.1` holds `10.0.0.1`).
 * - IPv6: a maximal run of hex digits, `:` and `.`, as it is, with leading/trailing `.`/`:` punctuation
 *   trimmed, or without a dotted word glued to either end (`cafe.fd00::1`), that parses as IPv6 in any case
 *   or compression, IPv4-mapped included.
 * A run holding a local address is replaced as a whole; the rest of the text is kept.
 */
import { type Ip, maskIp, parseIPv4, parseIPv6 } from "./Ip.js"

const DOTTED_RUN = /\d+(?:\.\d+){3,}/g
/** Cheap test for a dotted run of at least four groups (a timestamp's `00.123456` has two). */
const FOUR_GROUPS = /\d\.\d+\.\d+\.\d/
const DOTTED_TAIL = /^\d{1,3}(?:\.\d{1,3}){3}/

/** Every dotted-quad window of a dotted digit run, as parsed IPv4 numbers. */
export const ipv4Windows = (run: string): Array<number> => {
  const groups = run.split(".")
  const out: Array<number> = []
  for (let i = 0; i + 4 <= groups.length; i++) {
    const n = parseIPv4(groups.slice(i, i + 4).join("."))
    if (n !== undefined) out.push(n)
  }
  return out
}

const DOTTED_ANY = /^\d+\.\d+\.\d+\.\d+$/

/**
 * Cheap necessary conditions for a reading to parse as IPv6 (ipaddr.js throws, slowly, on every failure):
 * at most one `::`, hex groups of at most 4 digits, dots only in a dotted-quad tail, 8 groups or fewer with
 * `::`. Most colon runs in text (times, fingerprints, serials) fail here. test/domain/Scrub.test.ts checks
 * that ipaddr.js accepts nothing this rejects.
 */
export const mightBeIPv6 = (c: string): boolean => {
  const len = c.length
  if (len < 2 || len > 64) return false
  const lastColon = c.lastIndexOf(":")
  if (lastColon < 0) return false
  const firstDot = c.indexOf(".")
  let end = len
  let groups = 0
  if (firstDot >= 0) {
    if (firstDot < lastColon || !DOTTED_ANY.test(c.slice(lastColon + 1))) return false
    end = lastColon + 1
    groups = 2
  }
  const dbl = c.indexOf("::")
  if (dbl >= 0 && c.indexOf("::", dbl + 1) >= 0) return false
  if (c.charCodeAt(0) === 58 && c.charCodeAt(1) !== 58) return false
  if (firstDot < 0 && c.charCodeAt(len - 1) === 58 && c.charCodeAt(len - 2) !== 58) return false
  let digits = 0
  for (let i = 0; i < end; i++) {
    if (c.charCodeAt(i) === 58) {
      if (digits > 0) groups++
      digits = 0
    } else if (++digits > 4) return false
  }
  if (digits > 0) groups++
  return dbl >= 0 ? groups <= 7 : groups === 8
}

/** `base` and `base` with up to all of its leading/trailing `.`/`:` trimmed (an address starts and ends with at
 * most `::`, so only the last two characters of punctuation at either end need trying). */
const addTrims = (base: string, into: Set<string>): void => {
  const isPunct = (i: number) => base.charCodeAt(i) === 46 || base.charCodeAt(i) === 58
  let lead = 0
  while (lead < base.length && isPunct(lead)) lead++
  if (lead === base.length) {
    // Nothing but punctuation: only `::` can be an address.
    if (base.indexOf("::") >= 0) into.add("::")
    return
  }
  let trail = 0
  while (isPunct(base.length - 1 - trail)) trail++
  for (let i = Math.max(0, lead - 2); i <= lead; i++) {
    for (let j = Math.max(0, trail - 2); j <= trail; j++) into.add(base.slice(i, base.length - j))
  }
}

/**
 * Whether any reading of the run could have the colons of an IPv6 address: without `::` it needs at least
 * 6 (readings only lose colons, and cannot gain a `::`). Times (`10:00:00.123`) end here.
 */
const mayHoldIPv6 = (run: string): boolean => {
  if (run.indexOf("::") >= 0) return true
  let colons = 0
  for (let i = run.indexOf(":"); i >= 0 && colons < 6; i = run.indexOf(":", i + 1)) colons++
  return colons >= 6
}

/**
 * The readings of a colon run as IPv6: as is, with punctuation trimmed at either end (`:::fd00::1` holds
 * `fd00::1`), and without a dotted word glued to either end (`cafe.fd00::1`, `fd00::1.de`): an IPv6 address
 * holds a dot only in a dotted-quad tail, after its last colon. At most a few dozen readings whatever the run.
 */
export const ipv6Readings = (run: string): Array<Ip> => {
  if (!mayHoldIPv6(run)) return []
  const first = run.indexOf(":")
  const last = run.lastIndexOf(":")
  const from = first < 0 ? 0 : run.lastIndexOf(".", first) + 1
  // After the last colon: a dotted-quad tail ends the address after its fourth group, a hex group at a dot.
  const quad = DOTTED_TAIL.exec(run.slice(last + 1))
  const dot = run.indexOf(".", last)
  const to = quad !== null ? last + 1 + quad[0].length : dot < 0 ? run.length : dot
  const candidates = new Set<string>()
  for (const base of new Set([run, run.slice(from), run.slice(0, to), run.slice(from, to)])) addTrims(base, candidates)
  const out: Array<Ip> = []
  for (const c of candidates) {
    if (!mightBeIPv6(c)) continue
    const ip = parseIPv6(c)
    if (ip !== undefined) out.push(ip)
  }
  return out
}

export const scrubText = (text: string, isLocal: (ip: Ip) => boolean): string => {
  if (text.indexOf(".") < 0 && text.indexOf(":") < 0) return text
  let out = text
  if (FOUR_GROUPS.test(out)) {
    // The regex is greedy on digits, so a run never starts or ends beside another digit.
    out = out.replace(DOTTED_RUN, (run) => {
      if (!ipv4Windows(run).some((n) => isLocal({ kind: "v4", n }))) return run
      const groups = run.split(".")
      return groups.map((g, i) => (i === groups.length - 1 ? g : "xxx")).join(".")
    })
  }
  if (out.indexOf(":") >= 0) {
    out = replaceColonRuns(out, (run) => {
      if (run.length < 2) return run
      const local = ipv6Readings(run).find(isLocal)
      return local === undefined ? run : maskIp(local)
    })
  }
  return out
}

const inRun = (c: number) => (c >= 48 && c <= 58) || c === 46 || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)

/**
 * A global replace of the colon-run regex, in linear time: each maximal run of hex digits, `.` and `:` holding a colon,
 * found by growing it out from the colon (the regex retries a long hex run from every position in it).
 */
const replaceColonRuns = (text: string, f: (run: string) => string): string => {
  let out = ""
  let last = 0
  for (let i = text.indexOf(":"); i >= 0; ) {
    let a = i
    while (a > 0 && inRun(text.charCodeAt(a - 1))) a--
    let b = i + 1
    while (b < text.length && inRun(text.charCodeAt(b))) b++
    const run = text.slice(a, b)
    const r = f(run)
    if (r !== run) {
      out += text.slice(last, a) + r
      last = b
    }
    i = text.indexOf(":", b)
  }
  return last === 0 ? text : out + text.slice(last)
}
