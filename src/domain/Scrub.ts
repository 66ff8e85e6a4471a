/**
 * Masks local addresses written inside free text (a TLS subject, an SNI, a Host header...), whatever stands
 * around them (SPEC section 3). What counts as an address written in a text:
 * - IPv6: every substring of a run of hex digits, `:` and `.` that reads as IPv6 (so `eth0:fe80::1`,
 *   `fe80:0:0:0:0:0:0:1:443` and `8080:fd00::1` all hold one), IPv4-mapped and embedded forms included.
 * - IPv4: four dot-separated digit groups not touching another digit, every such window of a longer run,
 *   judged by the decimal and the octal (inet_aton) reading of leading-zero groups; the same with dashes
 *   (`ip-10-0-0-1.example`); `d.c.b.a.in-addr.arpa` and nibble `ip6.arpa` names, reversed.
 * Only the address's own characters are replaced. The work is linear: each start position is read at most
 * 45 characters ahead, each digit group once; `meter` counts the characters examined (tests bound it).
 */
import { type Ip, maskLocal, scanIPv6 } from "./Ip.js"

export interface Meter {
  steps: number
}

type IsLocal = (ip: Ip) => boolean

interface Edit {
  readonly from: number
  readonly to: number
  readonly text: string
}

/** Applies non-overlapping edits sorted by `from`. */
const apply = (text: string, edits: ReadonlyArray<Edit>): string => {
  if (edits.length === 0) return text
  let out = ""
  let last = 0
  for (const e of edits) {
    if (e.from < last) continue
    out += text.slice(last, e.from) + e.text
    last = e.to
  }
  return out + text.slice(last)
}

const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)
const isSep = (c: number) => c === 58 || c === 46
const inHexRun = (c: number) => isHex(c) || isSep(c)

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
    if (double || colons >= 6) {
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

interface Group {
  readonly from: number
  readonly to: number
  /** Decimal value, or -1 when over 255. */
  readonly dec: number
  /** Octal value of a leading-zero group (-1: not valid octal or over 255); undefined without a leading zero. */
  readonly oct: number | undefined
}

const readGroup = (text: string, from: number, to: number): Group => {
  let dec = 0
  let oct = 0
  let octalOk = true
  for (let k = from; k < to; k++) {
    const d = text.charCodeAt(k) - 48
    if (dec >= 0) dec = dec * 10 + d > 255 ? -1 : dec * 10 + d
    if (d > 7) octalOk = false
    if (octalOk) oct = oct * 8 + d > 255 ? -1 : oct * 8 + d
    if (oct < 0) octalOk = false
  }
  const leadingZero = to - from > 1 && text.charCodeAt(from) === 48
  return { from, to, dec, oct: leadingZero ? (octalOk ? oct : -1) : undefined }
}

/** The decimal and octal readings of four groups (in address order), as numbers; -1 when none. */
const readings = (g: ReadonlyArray<Group>): [number, number] => {
  let dec = 0
  let oct = 0
  let anyOctal = false
  for (const x of g) {
    dec = dec < 0 || x.dec < 0 ? -1 : dec * 256 + x.dec
    const o = x.oct === undefined ? x.dec : x.oct
    if (x.oct !== undefined) anyOctal = true
    oct = oct < 0 || o < 0 ? -1 : oct * 256 + o
  }
  return [dec, anyOctal ? oct : -1]
}

const ARPA4 = ".in-addr.arpa"

/**
 * Dotted (or dashed) quads: every window of four digit groups joined by single separators. A local one has
 * its first three groups replaced by `xxx`; read backwards before `.in-addr.arpa`, its last three.
 */
const scrubQuads = (text: string, sep: number, isLocal: IsLocal, meter: Meter | undefined): string => {
  const edits: Array<Edit> = []
  const local = (n: number) => n >= 0 && isLocal({ kind: "v4", n })
  const len = text.length
  let i = 0
  while (i < len) {
    const c = text.charCodeAt(i)
    if (c < 48 || c > 57 || (i > 0 && text.charCodeAt(i - 1) >= 48 && text.charCodeAt(i - 1) <= 57)) {
      i++
      continue
    }
    // A chain of digit groups joined by single separators, starting at i.
    const chain: Array<Group> = []
    let k = i
    for (;;) {
      let e = k
      while (e < len && text.charCodeAt(e) >= 48 && text.charCodeAt(e) <= 57) e++
      if (meter !== undefined) meter.steps += e - k + 1
      chain.push(readGroup(text, k, e))
      const next = text.charCodeAt(e + 1)
      if (text.charCodeAt(e) !== sep || !(next >= 48 && next <= 57)) {
        k = e
        break
      }
      k = e + 1
    }
    for (let w = 0; w + 4 <= chain.length; w++) {
      const g = chain.slice(w, w + 4)
      const [dec, oct] = readings(g)
      if (local(dec) || local(oct)) for (let x = 0; x < 3; x++) edits.push({ from: g[x]!.from, to: g[x]!.to, text: "xxx" })
    }
    if (sep === 46 && chain.length >= 4 && text.slice(k, k + ARPA4.length).toLowerCase() === ARPA4) {
      const g = chain.slice(-4)
      const [dec, oct] = readings([...g].reverse())
      if (local(dec) || local(oct)) for (let x = 1; x < 4; x++) edits.push({ from: g[x]!.from, to: g[x]!.to, text: "xxx" })
    }
    i = k
  }
  edits.sort((a, b) => a.from - b.from)
  return apply(text, edits.filter((e, n) => n === 0 || e.from !== edits[n - 1]!.from))
}

const ARPA6 = /ip6\.arpa/gi

/** `b.a.9.8. ... .ip6.arpa`: up to 32 nibbles, lowest first; a shorter name is a prefix, padded with zeros. */
const scrubIp6Arpa = (text: string, isLocal: IsLocal): string => {
  const edits: Array<Edit> = []
  for (const m of text.matchAll(ARPA6)) {
    // nibbles[0] is the one nearest `ip6.arpa`: the highest.
    const nibbles: Array<number> = []
    for (let k = m.index - 2; k >= 0 && nibbles.length < 32; k -= 2) {
      if (text.charCodeAt(k + 1) !== 46 || !isHex(text.charCodeAt(k))) break
      nibbles.push(parseInt(text[k]!, 16))
      if (k === 0 || text.charCodeAt(k - 1) !== 46) break
    }
    if (nibbles.length === 0) continue
    const all = [...nibbles, ...new Array<number>(32 - nibbles.length).fill(0)]
    const parts = Array.from({ length: 8 }, (_, g) => all.slice(g * 4, g * 4 + 4).reduce((n, d) => n * 16 + d, 0))
    const ip: Ip = { kind: "v6", parts }
    if (!isLocal(ip)) continue
    // The mask keeps the lowest nibbles it would show: 8 (two groups), or 2 (the last octet of an IPv4).
    const keep = nibbles.length < 32 ? 0 : maskLocal(ip, isLocal).startsWith("xxx.") ? 2 : 8
    for (let j = nibbles.length - 1 - keep; j >= 0; j--) {
      const at = m.index - 2 - 2 * j
      edits.push({ from: at, to: at + 1, text: "x" })
    }
  }
  return apply(text, edits)
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
  let out = text
  if (out.indexOf(":") >= 0) out = scrubIPv6(out, isLocal, meter)
  if (out.indexOf(".") >= 0 && hasQuad(out, 46)) out = scrubQuads(out, 46, isLocal, meter)
  if (out.indexOf("-") >= 0 && hasQuad(out, 45)) out = scrubQuads(out, 45, isLocal, meter)
  if (/arpa/i.test(out)) out = scrubIp6Arpa(out, isLocal)
  if (out.indexOf("xxxx:") >= 0) out = scrubV6Masks(out, isLocal)
  return out
}

/** A mask's visible digits beside what followed the address can spell a new one: rescan until stable. */
const MAX_ROUNDS = 4

export const scrubText = (text: string, isLocal: IsLocal, meter?: Meter): string => {
  if (text.indexOf(".") < 0 && text.indexOf(":") < 0 && text.indexOf("-") < 0) return text
  let out = text
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const next = scrubOnce(out, isLocal, meter)
    if (next === out) return out
    out = next
  }
  // Still changing: fail closed, every hex digit goes.
  return scrubOnce(out, isLocal, meter) === out ? out : out.replace(/[0-9a-fA-F]/g, "x")
}
