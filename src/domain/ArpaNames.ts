/**
 * Reverse-DNS nibble names (`b.a.9.8. ... .ip6.arpa`) of local IPv6 addresses, in free text (SPEC section 3).
 */
import { type Ip, maskLocal } from "./Ip.js"
import { apply, type Edit } from "./TextEdits.js"

const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)

const ARPA6 = /ip6\.arpa/gi

/** `b.a.9.8. ... .ip6.arpa`: up to 32 nibbles, lowest first; a shorter name is a prefix, padded with zeros. */
export const scrubIp6Arpa = (text: string, isLocal: (ip: Ip) => boolean): string => {
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

/** `arpa` in any case, without a regex (this runs on every string that has a separator). */
export const hasArpa = (text: string): boolean => {
  for (let i = text.indexOf(".", 1); i >= 0 && i + 4 < text.length; i = text.indexOf(".", i + 1)) {
    if ((text.charCodeAt(i + 4) | 32) === 97 && (text.charCodeAt(i + 3) | 32) === 112 && (text.charCodeAt(i + 2) | 32) === 114 && (text.charCodeAt(i + 1) | 32) === 97) return true
  }
  return false
}

