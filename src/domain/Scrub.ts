/**
 * Masks local addresses written inside free text (a TLS subject, an SNI, a Host header...), whatever stands
 * around them (SPEC section 3). What counts as an address written in a text:
 * - IPv6: every substring of a run of hex digits, `:` and `.` that reads as IPv6 (so `eth0:fe80::1`,
 *   `fe80:0:0:0:0:0:0:1:443` and `8080:fd00::1` all hold one), IPv4-mapped and embedded forms included.
 * - IPv4: four dot-separated digit groups not touching another digit, every such window of a longer run,
 *   judged by the decimal and the octal (inet_aton) reading of leading-zero groups; the same with dashes
 *   (`ip-10-0-0-1.example`); `d.c.b.a.in-addr.arpa` and nibble `ip6.arpa` names, reversed.
 * Also the host-like tokens of HostTokens.ts (inet_aton forms, wildcard-DNS labels), in text read as a resolver
 * reads it (ResolverText.ts). Only the address's own characters are replaced. The work is linear: each start position is read at most
 * 45 characters ahead, each digit group once; `meter` counts the characters examined (tests bound it).
 */
import { scrubIp6Arpa, hasArpa } from "./ArpaNames.js"
import { hostTokenEdits } from "./HostTokens.js"
import { type Ip, maskLocal, scanIPv6 } from "./Ip.js"
import { needsResolverReading, resolverReading } from "./ResolverText.js"
import { apply, type Edit } from "./TextEdits.js"

export interface Meter {
  steps: number
}

type IsLocal = (ip: Ip) => boolean

const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)
const isSep = (c: number) => c === 58 || c === 46
const inHexRun = (c: number) => isHex(c) || isSep(c)

const hasDot = (text: string, a: number, b: number): boolean => {
  for (let k = a; k < b; k++) if (text.charCodeAt(k) === 46) return true
  return false
}

/**
 * A run with no `::` and no `.` (certificate fingerprints, MACs, serials): its readings are exactly the
 * windows of eight consecutive groups of 1-4 hex digits, so one pass over its groups finds them all without
 * re-reading the run from every start. Same result as the every-start scan below.
 */
const scrubPlainRun = (
  text: string,
  a: number,
  b: number,
  isLocal: IsLocal,
  edits: Array<Edit>,
  meter: Meter | undefined
): void => {
  // The last eight groups (a ring): start offset and value; `valid` counts consecutive 1-4 digit groups.
  const from = [0, 0, 0, 0, 0, 0, 0, 0]
  const value = [0, 0, 0, 0, 0, 0, 0, 0]
  let valid = 0
  let n = 0
  // A reading may not start inside the previous masked one.
  let free = 0
  let k = a
  while (k <= b) {
    const start = k
    let v = 0
    while (k < b && text.charCodeAt(k) !== 58) v = v * 16 + hexValue(text.charCodeAt(k++))
    const digits = k - start
    if (digits >= 1 && digits <= 4) {
      from[n & 7] = start
      value[n & 7] = v
      valid++
    } else valid = 0
    if (valid >= 8 && n - 7 >= free) {
      if (meter !== undefined) meter.steps += 8
      const parts = new Array<number>(8)
      for (let g = 0; g < 8; g++) parts[g] = value[(n - 7 + g) & 7]!
      const ip: Ip = { kind: "v6", parts }
      if (isLocal(ip)) {
        edits.push({ from: from[(n - 7) & 7]!, to: k, text: maskLocal(ip, isLocal) })
        free = n + 1
      }
    }
    n++
    k++
  }
}

const hexValue = (c: number): number => (c <= 57 ? c - 48 : c <= 70 ? c - 55 : c - 87)

/** IPv6 readings: in each run that could hold one (a `::`, or 6 colons before a dotted tail, 7 otherwise), the
 * longest local reading at each start. */
const scrubIPv6 = (text: string, isLocal: IsLocal, meter: Meter | undefined): string => {
  const edits: Array<Edit> = []
  for (let i = text.indexOf(":"); i >= 0; ) {
    let a = i
    while (a > 0 && inHexRun(text.charCodeAt(a - 1))) a--
    let b = i + 1
    let colons = 1
    let double = false
    while (b < text.length && inHexRun(text.charCodeAt(b))) {
      if (text.charCodeAt(b) === 58) {
        colons++
        if (text.charCodeAt(b - 1) === 58) double = true
      }
      b++
    }
    if (meter !== undefined) meter.steps += b - a
    if (!double && colons >= 7 && !hasDot(text, a, b)) scrubPlainRun(text, a, b, isLocal, edits, meter)
    else if (double || colons >= 6) {
      // A reading starts at the run's start or after a `:` or `.`, and ends at the run's end or before one.
      for (let p = a; p < b; p++) {
        if (p > a && !isSep(text.charCodeAt(p - 1))) continue
        let end = -1
        let found: Ip | undefined
        scanIPv6(text, p, (e, parts) => {
          if (e !== b && !isSep(text.charCodeAt(e))) return
          const ip: Ip = { kind: "v6", parts }
          if (isLocal(ip)) {
            end = e
            found = ip
          }
        }, meter)
        if (found !== undefined) {
          edits.push({ from: p, to: end, text: maskLocal(found, isLocal) })
          p = end - 1
        }
      }
    }
    i = text.indexOf(":", b)
  }
  return apply(text, edits)
}

/** The decimal value of the digit group `[from, to)`, or -1 when over 255. */
const decimalGroup = (text: string, from: number, to: number): number => {
  let dec = 0
  for (let k = from; k < to; k++) {
    dec = dec * 10 + text.charCodeAt(k) - 48
    if (dec > 255) return -1
  }
  return dec
}

/** The octal (inet_aton) value of a leading-zero group; -1 when not valid octal or over 255; -2 without a leading zero. */
const octalGroup = (text: string, from: number, to: number): number => {
  if (to - from < 2 || text.charCodeAt(from) !== 48) return -2
  let oct = 0
  for (let k = from; k < to; k++) {
    const d = text.charCodeAt(k) - 48
    if (d > 7) return -1
    oct = oct * 8 + d
    if (oct > 255) return -1
  }
  return oct
}

const ARPA4 = ".in-addr.arpa"

/**
 * Dotted (or dashed) quads: every window of four digit groups joined by single separators. A local one has
 * its first three groups replaced by `xxx`; read backwards before `.in-addr.arpa`, its last three. The last
 * four groups live in a ring: nothing is allocated unless something is masked.
 */
const scrubQuads = (text: string, sep: number, isLocal: IsLocal, meter: Meter | undefined): string => {
  const edits: Array<Edit> = []
  const local = (n: number) => n >= 0 && isLocal({ kind: "v4", n })
  const from = [0, 0, 0, 0]
  const to = [0, 0, 0, 0]
  const dec = [0, 0, 0, 0]
  const oct = [0, 0, 0, 0]
  /** The four groups ending at ring index `n`, in text order or reversed: their decimal and octal readings. */
  const judge = (n: number, reversed: boolean): boolean => {
    let d = 0
    let o = 0
    let anyOctal = false
    for (let x = 0; x < 4; x++) {
      const r = (reversed ? n - x : n - 3 + x) & 3
      d = d < 0 || dec[r]! < 0 ? -1 : d * 256 + dec[r]!
      const og = oct[r] === -2 ? dec[r]! : oct[r]!
      if (oct[r] !== -2) anyOctal = true
      o = o < 0 || og < 0 ? -1 : o * 256 + og
    }
    return local(d) || (anyOctal && local(o))
  }
  const len = text.length
  let i = 0
  while (i < len) {
    const c = text.charCodeAt(i)
    if (c < 48 || c > 57 || (i > 0 && text.charCodeAt(i - 1) >= 48 && text.charCodeAt(i - 1) <= 57)) {
      i++
      continue
    }
    // A chain of digit groups joined by single separators, starting at i; n counts its groups.
    let n = 0
    let k = i
    for (;;) {
      let e = k
      while (e < len && text.charCodeAt(e) >= 48 && text.charCodeAt(e) <= 57) e++
      if (meter !== undefined) meter.steps += e - k + 1
      const r = n & 3
      from[r] = k
      to[r] = e
      dec[r] = decimalGroup(text, k, e)
      oct[r] = octalGroup(text, k, e)
      if (n >= 3 && judge(n, false)) {
        for (let x = 0; x < 3; x++) edits.push({ from: from[(n - 3 + x) & 3]!, to: to[(n - 3 + x) & 3]!, text: "xxx" })
      }
      n++
      const next = text.charCodeAt(e + 1)
      if (text.charCodeAt(e) !== sep || !(next >= 48 && next <= 57)) {
        k = e
        break
      }
      k = e + 1
    }
    if (sep === 46 && n >= 4 && text.slice(k, k + ARPA4.length).toLowerCase() === ARPA4 && judge(n - 1, true)) {
      for (let x = 1; x < 4; x++) edits.push({ from: from[(n - 4 + x) & 3]!, to: to[(n - 4 + x) & 3]!, text: "xxx" })
    }
    i = k
  }
  edits.sort((a, b) => a.from - b.from)
  return apply(text, edits.filter((e, n) => n === 0 || e.from !== edits[n - 1]!.from))
}

const V6_MASK = /xxxx:xxxx:([0-9a-fA-F]{4}):([0-9a-fA-F]{4})/g

/** A v6 mask (`xxxx:xxxx:0a00:0001`, written by anyone) whose two groups are a local IPv4 address shows it whole. */
const scrubV6Masks = (text: string, isLocal: IsLocal): string =>
  text.replace(V6_MASK, (all, hi: string, lo: string) => {
    const n = parseInt(hi + lo, 16)
    return isLocal({ kind: "v4", n }) ? `xxx.xxx.xxx.${n & 255}` : all
  })

const isDigit = (c: number) => c >= 48 && c <= 57

/** Whether four digit groups joined by single `sep` occur anywhere (one pass, no allocation). */
const hasQuad = (text: string, sep: number): boolean => {
  let groups = 0
  for (let i = 0; i < text.length; i++) {
    if (!isDigit(text.charCodeAt(i))) {
      groups = 0
      continue
    }
    while (i + 1 < text.length && isDigit(text.charCodeAt(i + 1))) i++
    groups++
    if (groups >= 4) return true
    if (text.charCodeAt(i + 1) === sep && isDigit(text.charCodeAt(i + 2))) i++
    else groups = 0
  }
  return false
}

const scrubOnce = (text: string, isLocal: IsLocal, meter: Meter | undefined): string => {
  let out = apply(text, hostTokenEdits(text, isLocal, (s) => scrubIPv6(s, isLocal, meter)))
  if (out.indexOf(":") >= 0) out = scrubIPv6(out, isLocal, meter)
  if (out.indexOf(".") >= 0 && hasQuad(out, 46)) out = scrubQuads(out, 46, isLocal, meter)
  if (out.indexOf("-") >= 0 && hasQuad(out, 45)) out = scrubQuads(out, 45, isLocal, meter)
  if (hasArpa(out)) out = scrubIp6Arpa(out, isLocal)
  if (out.indexOf("xxxx:") >= 0) out = scrubV6Masks(out, isLocal)
  return out
}

/** A mask's visible digits beside what followed the address can spell a new one: rescan until stable. */
const MAX_ROUNDS = 4

/** Whether a text could hold any reading: a digit, `:` or `-`, or eight hex letters in a row (a hex label). */
const mayHoldAddress = (text: string): boolean => {
  let hexRun = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if ((c >= 48 && c <= 58) || c === 45) return true
    hexRun = (c >= 65 && c <= 70) || (c >= 97 && c <= 102) ? hexRun + 1 : 0
    if (hexRun === 8) return true
  }
  return false
}

const scrubPlain = (text: string, isLocal: IsLocal, meter: Meter | undefined): string => {
  if (!mayHoldAddress(text)) return text
  let out = text
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const next = scrubOnce(out, isLocal, meter)
    if (next === out) return out
    out = next
  }
  // Still changing: fail closed, every hex digit goes.
  return scrubOnce(out, isLocal, meter) === out ? out : out.replace(/[0-9a-fA-F]/g, "x")
}

/**
 * Masks every local address a resolver would read in `text`. ASCII text without `%` is read as it is (the
 * usual case pays nothing more); other text is also read as a resolver reads it (ResolverText.ts), and when
 * that reading holds a local address, the masked reading is what is sent.
 */
export const scrubText = (text: string, isLocal: IsLocal, meter?: Meter): string => {
  if (!needsResolverReading(text)) return scrubPlain(text, isLocal, meter)
  let out = text
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const read = resolverReading(out)
    const maskedRead = scrubPlain(read, isLocal, meter)
    const next = maskedRead !== read ? maskedRead : scrubPlain(out, isLocal, meter)
    if (next === out) return out
    out = next
  }
  return resolverReading(out).replace(/[0-9a-fA-F]/g, "x")
}
