/**
 * Host-like tokens a resolver reads as an address although they are not a dotted quad (SPEC section 3):
 * - every inet_aton / WHATWG IPv4 form of a whole token: one integer (`3232235777`, `0xa000001`, `012`), and
 *   1- to 4-part forms whose parts are decimal, `0x` hex or `0` octal (`10.1`, `127.1`, `10.0.1`, `0x0a.0.0.1`);
 * - the wildcard-DNS hex label (sslip.io: `0a000001.sslip.io`), 8 hex digits alone between separators;
 * - the wildcard-DNS dashed IPv6 label (`fd00--1.sslip.io`, `--1.nip.io`), read with `-` as `:`.
 * A token is a maximal run of letters, digits and dots (a hex or dashed label: letters and digits, and dashes);
 * a token after `:` (a port, an IPv6 group) and one integer touching `:`, `-`, `_` or `+` (a label's part, a
 * time zone) are not read.
 * Plain 4-part decimal quads are left to the quad reader (Scrub.ts), which changes only the address's own digits.
 */
import { type Ip, maskLocal } from "./Ip.js"

type IsLocal = (ip: Ip) => boolean

import type { Edit } from "./TextEdits.js"

const isDigit = (c: number) => c >= 48 && c <= 57
const touching = (c: number) => c === 58 || c === 45 || c === 95 || c === 43
const isAlpha = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
const isAlnum = (c: number) => isDigit(c) || isAlpha(c)
const hexDigit = (c: number): number =>
  isDigit(c) ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1

/** One part of an inet_aton form: its value, or -1 (not a number, or over 2^32). */
const part = (s: string, from: number, to: number): number => {
  if (from >= to) return -1
  let base = 10
  let k = from
  if (to - from >= 2 && s.charCodeAt(from) === 48 && (s.charCodeAt(from + 1) | 32) === 120) {
    base = 16
    k = from + 2
  } else if (to - from >= 2 && s.charCodeAt(from) === 48) {
    base = 8
    k = from + 1
  }
  let v = 0
  for (; k < to; k++) {
    const d = hexDigit(s.charCodeAt(k))
    if (d < 0 || d >= base) return -1
    v = v * base + d
    if (v > 0xffffffff) return -1
  }
  return v
}

/**
 * The inet_aton reading of `s[from, to)` (a trailing dot allowed), or -1. `plainQuad` is set when it is four
 * decimal or octal parts (what the quad reader already reads).
 */
export const inetAton = (s: string, from: number, to: number): { n: number; plainQuad: boolean } | undefined => {
  let end = to
  if (end - from > 1 && s.charCodeAt(end - 1) === 46) end--
  const parts: Array<number> = []
  let hex = false
  let start = from
  for (let k = from; k <= end; k++) {
    if (k < end && s.charCodeAt(k) !== 46) continue
    if (parts.length === 4) return undefined
    const v = part(s, start, k)
    if (v < 0) return undefined
    if (k - start >= 2 && (s.charCodeAt(start + 1) | 32) === 120) hex = true
    parts.push(v)
    start = k + 1
  }
  const last = parts[parts.length - 1]!
  let n = 0
  for (let i = 0; i < parts.length - 1; i++) {
    if (parts[i]! > 255) return undefined
    n = n * 256 + parts[i]!
  }
  const room = 2 ** (8 * (5 - parts.length))
  if (last >= room) return undefined
  return { n: n * room + last, plainQuad: parts.length === 4 && !hex }
}

const byFrom = (x: Edit, y: Edit) => x.from - y.from

/** Every host-like token of `text` that reads as a local address, as edits (in text order). */
export const hostTokenEdits = (
  text: string,
  isLocal: IsLocal,
  scrubV6: (s: string) => string
): Array<Edit> => {
  const edits: Array<Edit> = []
  const len = text.length
  let i = 0
  while (i < len) {
    const c = text.charCodeAt(i)
    if (!isAlnum(c) && c !== 45) {
      i++
      continue
    }
    // A label run: letters, digits, dashes (and, for the inet_aton token, dots).
    let e = i
    let dashes = 0
    let double = false
    while (e < len) {
      const d = text.charCodeAt(e)
      if (d === 45) {
        dashes++
        if (text.charCodeAt(e - 1) === 45) double = true
      } else if (!isAlnum(d)) break
      e++
    }
    if (double || dashes >= 7) {
      // A dashed IPv6 label: with `-` read as `:`, masked where it holds a local IPv6 reading.
      const label = text.slice(i, e)
      const colon = label.replace(/-/g, ":")
      const scrubbed = scrubV6(colon)
      if (scrubbed !== colon) edits.push({ from: i, to: e, text: scrubbed.replace(/[:.]/g, "-") })
    }
    // Alphanumeric pieces of the label: hex labels.
    for (let a = i; a < e; ) {
      let b = a
      while (b < e && text.charCodeAt(b) !== 45) b++
      if (b - a === 8) {
        let n = 0
        for (let k = a; k < b && n >= 0; k++) {
          const h = hexDigit(text.charCodeAt(k))
          n = h < 0 ? -1 : n * 16 + h
        }
        if (n >= 0 && isLocal({ kind: "v4", n })) edits.push({ from: a, to: a + 6, text: "xxxxxx" })
      }
      a = b + 1
    }
    i = e === i ? i + 1 : e
  }
  // inet_aton tokens: maximal runs of letters, digits and dots that start with a digit.
  for (let k = 0; k < len; ) {
    const c = text.charCodeAt(k)
    if (!isDigit(c) || (k > 0 && (isAlnum(text.charCodeAt(k - 1)) || text.charCodeAt(k - 1) === 46))) {
      k++
      continue
    }
    let e = k
    let single = true
    for (; e < len; e++) {
      const d = text.charCodeAt(e)
      if (d === 46) single = false
      else if (!isAlnum(d)) break
    }
    // After a `:` is a port or an IPv6 group; one integer touching `:`, `-`, `_` or `+` (`touching`) is a port, a
    // group of a colon or dashed run, part of a label or a time zone (`+0530`).
    const before = text.charCodeAt(k - 1)
    if (before !== 58 && !(single && (touching(before) || touching(text.charCodeAt(e))))) {
      const r = inetAton(text, k, e)
      if (r !== undefined && !r.plainQuad && isLocal({ kind: "v4", n: r.n })) {
        const end = e - k > 1 && text.charCodeAt(e - 1) === 46 ? e - 1 : e
        edits.push({ from: k, to: end, text: maskLocal({ kind: "v4", n: r.n }, isLocal) })
      }
    }
    k = e
  }
  return edits.length > 1 ? edits.sort(byFrom) : edits
}
