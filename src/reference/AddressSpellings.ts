/**
 * Every IPv4 and IPv6 address written in a text, read independently of the agent's sanitiser (no
 * src/domain, no ipaddr.js): the reference service's privacy check and the tests' privacy oracle both read
 * texts with this, so a flaw in the sanitiser's own reading cannot hide itself (SPEC section 3).
 *
 * - IPv6: in each maximal run of `[0-9A-Fa-f:.]`, every slice that starts at the run's start or after a
 *   `:`/`.` and ends at the run's end or before one, validated by splitting on `::` and `:`.
 * - IPv4: four digit groups joined by single `.` (or single `-`), every window of a longer chain, read as
 *   decimal and, when a group has a leading zero, as inet_aton does (octal); reversed before
 *   `.in-addr.arpa`; nibble names before `ip6.arpa` (a shorter name is a prefix, padded with zeros).
 * - The IPv4 addresses an IPv6 address carries (mapped, compatible, SIIT, NAT64, 6to4, Teredo, ISATAP).
 * - Host-like tokens (HostSpellings.ts): inet_aton forms, wildcard-DNS hex and dashed labels; and, with
 *   `resolverSpellingsIn`, the same in the text as a resolver reads it.
 * Linear: a slice is at most 45 characters and is abandoned as soon as it cannot become an address.
 */

import { hostSpellingsIn, resolverForm } from "./HostSpellings.js"

export type Reading = { readonly v: 4; readonly n: number } | { readonly v: 6; readonly value: bigint }

export interface Spelling {
  readonly index: number
  readonly text: string
  /** What it may mean (an IPv4 spelling with leading zeros has two readings). */
  readonly readings: ReadonlyArray<Reading>
}

const MAX_V6 = 45

const dottedDecimal = (s: string): number | undefined => {
  const parts = s.split(".")
  if (parts.length !== 4) return undefined
  let n = 0
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined
    n = n * 256 + Number(p)
  }
  return n
}

/** A whole IPv6 text, as a 128-bit number. */
export const strictIPv6 = (s: string): bigint | undefined => {
  const lastColon = s.lastIndexOf(":")
  if (lastColon < 0 || s.length > MAX_V6) return undefined
  let head = s
  let tail: number | undefined
  const dot = s.indexOf(".")
  if (dot >= 0) {
    if (dot < lastColon) return undefined
    tail = dottedDecimal(s.slice(lastColon + 1))
    if (tail === undefined) return undefined
    head = `${s.slice(0, lastColon + 1)}0:0`
  }
  const halves = head.split("::")
  if (halves.length > 2) return undefined
  const side = (h: string) => (h === "" ? [] : h.split(":"))
  const left = side(halves[0]!)
  const right = halves.length === 2 ? side(halves[1]!) : []
  if (![...left, ...right].every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined
  const count = left.length + right.length
  if (halves.length === 2 ? count > 7 : count !== 8) return undefined
  const groups = halves.length === 2 ? [...left, ...new Array<string>(8 - count).fill("0"), ...right] : left
  let value = groups.reduce((v, g) => (v << 16n) | BigInt(parseInt(g, 16)), 0n)
  if (tail !== undefined) value = (value & ~0xffffffffn) | BigInt(tail)
  return value
}

const ipv6Spellings = (text: string, out: Array<Spelling>): void => {
  for (const m of text.matchAll(/[0-9A-Fa-f:.]+/g)) {
    const run = m[0]
    if (run.indexOf(":") < 0) continue
    const starts = [0]
    const ends: Array<number> = []
    for (let i = 0; i < run.length; i++) {
      if (run[i] === ":" || run[i] === ".") {
        starts.push(i + 1)
        ends.push(i)
      }
    }
    ends.push(run.length)
    let firstEnd = 0
    for (const s of starts) {
      while (firstEnd < ends.length && ends[firstEnd]! <= s) firstEnd++
      let colons = 0
      let dots = 0
      let doubles = 0
      let from = s
      for (let e = firstEnd; e < ends.length && ends[e]! - s <= MAX_V6; e++) {
        // Count what the slice gained; more than 8 colons, 3 dots or one `::` can never become an address.
        for (let k = from; k < ends[e]!; k++) {
          if (run[k] === ":") {
            colons++
            if (k > s && run[k - 1] === ":") doubles++
          } else if (run[k] === ".") dots++
        }
        from = ends[e]!
        if (colons > 8 || dots > 3 || doubles > 1) break
        const slice = run.slice(s, ends[e])
        const value = strictIPv6(slice)
        if (value !== undefined) out.push({ index: m.index + s, text: slice, readings: [{ v: 6, value }] })
      }
    }
  }
}

interface DigitRun {
  readonly from: number
  readonly to: number
  readonly dec: number
  /** inet_aton's octal reading of a leading-zero group; NaN when not octal; undefined without a leading zero. */
  readonly oct: number | undefined
}

const digitRuns = (text: string): Array<DigitRun> =>
  [...text.matchAll(/\d+/g)].map((m) => {
    const digits = m[0]
    const significant = digits.replace(/^0+(?=\d)/, "")
    const dec = significant.length > 3 ? 256 : Number(significant)
    const oct = digits.length > 1 && digits[0] === "0"
      ? /^[0-7]+$/.test(significant) && significant.length <= 3 ? parseInt(significant, 8) : NaN
      : undefined
    return { from: m.index, to: m.index + digits.length, dec, oct }
  })

const quadReadings = (g: ReadonlyArray<DigitRun>): Array<Reading> => {
  const out: Array<Reading> = []
  if (g.every((x) => x.dec <= 255)) out.push({ v: 4, n: g.reduce((n, x) => n * 256 + x.dec, 0) })
  if (g.some((x) => x.oct !== undefined)) {
    const octets = g.map((x) => (x.oct === undefined ? x.dec : x.oct))
    if (octets.every((o) => o <= 255)) out.push({ v: 4, n: octets.reduce((n, o) => n * 256 + o, 0) })
  }
  return out
}

const ipv4Spellings = (text: string, out: Array<Spelling>): void => {
  const runs = digitRuns(text)
  for (let i = 0; i + 4 <= runs.length; i++) {
    const g = runs.slice(i, i + 4)
    const sep = text[g[0]!.to]
    if (sep !== "." && sep !== "-") continue
    if (!g.every((x, k) => k === 0 || (x.from === g[k - 1]!.to + 1 && text[x.from - 1] === sep))) continue
    const spelled = text.slice(g[0]!.from, g[3]!.to)
    const readings = quadReadings(g)
    if (sep === "." && text.slice(g[3]!.to, g[3]!.to + 13).toLowerCase() === ".in-addr.arpa") {
      readings.push(...quadReadings([...g].reverse()))
    }
    if (readings.length > 0) out.push({ index: g[0]!.from, text: spelled, readings })
  }
}

const ip6ArpaSpellings = (text: string, out: Array<Spelling>): void => {
  for (const m of text.matchAll(/ip6\.arpa/gi)) {
    let nibbles = ""
    let k = m.index
    while (nibbles.length < 32 && k >= 2 && text[k - 1] === "." && /[0-9a-fA-F]/.test(text[k - 2]!)) {
      nibbles += text[k - 2]
      k -= 2
      if (k > 0 && text[k - 1] !== ".") break
    }
    if (nibbles === "") continue
    const value = BigInt(`0x${nibbles.padEnd(32, "0")}`)
    out.push({ index: k, text: text.slice(k, m.index + 8), readings: [{ v: 6, value }] })
  }
}

/** Every address spelling in `text`, local or not. */
export const spellingsIn = (text: string): Array<Spelling> => {
  const out: Array<Spelling> = []
  if (text.indexOf(":") >= 0) ipv6Spellings(text, out)
  if (/\d[.-]\d/.test(text)) ipv4Spellings(text, out)
  if (/ip6\.arpa/i.test(text)) ip6ArpaSpellings(text, out)
  for (const h of hostSpellingsIn(text)) {
    if (h.v4 !== undefined) out.push({ index: h.index, text: h.text, readings: [{ v: 4, n: h.v4 }] })
    if (h.colonText !== undefined) {
      const inLabel: Array<Spelling> = []
      ipv6Spellings(h.colonText, inLabel)
      for (const s of inLabel) out.push({ ...s, index: h.index + s.index, text: h.text.slice(s.index, s.index + s.text.length) })
    }
  }
  return out
}

/** The spellings of the text as a resolver reads it, when that differs from the text (indexes into that form). */
export const resolverSpellingsIn = (text: string): Array<Spelling> => {
  const form = resolverForm(text)
  return form === text ? [] : spellingsIn(form)
}

const bits = (v: bigint, from: number, width: number): number =>
  Number((v >> BigInt(128 - from - width)) & ((1n << BigInt(width)) - 1n))

/** The IPv4 addresses an IPv6 address (128-bit) carries, by SPEC section 3's list. */
export const carriedIPv4 = (v: bigint): Array<number> => {
  const out: Array<number> = []
  const low32 = Number(v & 0xffffffffn)
  if (v >> 32n === 0n) out.push(low32) // compatible
  if (v >> 32n === 0xffffn) out.push(low32) // mapped
  if (v >> 32n === 0xffff0000n) out.push(low32) // SIIT
  if (v >> 32n === 0x64ff9b0000000000000000n) out.push(low32) // NAT64 well-known
  if (v >> 80n === 0x64ff9b0001n) {
    // NAT64 local-use: RFC 6052 positions for /48, /56, /64 and /96 (bits 64-71 are skipped).
    const byte = (i: number) => bits(v, i * 8, 8)
    const at = (idx: ReadonlyArray<number>) => idx.reduce((n, i) => n * 256 + byte(i), 0)
    out.push(at([6, 7, 9, 10]), at([7, 9, 10, 11]), at([9, 10, 11, 12]), low32)
  }
  if (bits(v, 0, 16) === 0x2002) out.push(bits(v, 16, 32)) // 6to4
  if (bits(v, 0, 32) === 0x20010000) out.push(bits(v, 32, 32), (~low32) >>> 0) // Teredo server, client
  if ((bits(v, 64, 32) & 0xfcffffff) === 0x5efe) out.push(low32) // ISATAP, u/g bits either way
  return out
}

/** `xxxx:xxxx:HHHH:HHHH` masks, with the 32 bits they show. */
export const maskedIPv6In = (text: string): Array<{ readonly index: number; readonly text: string; readonly low32: number }> =>
  [...text.matchAll(/xxxx:xxxx:([0-9a-fA-F]{4}):([0-9a-fA-F]{4})/g)].map((m) => ({
    index: m.index,
    text: m[0],
    low32: parseInt(`${m[1]}${m[2]}`, 16)
  }))
