/**
 * IP addresses: strict parsing of the textual forms Suricata writes, canonical forms, and masking.
 * IPv4 is parsed by hand (it is the hot path); IPv6 grammar is left to ipaddr.js.
 * An IPv4-mapped IPv6 address is an IPv4 address here: it is judged and masked as one.
 */
import ipaddr from "ipaddr.js"

export type Ip =
  | { readonly kind: "v4"; readonly n: number }
  | { readonly kind: "v6"; readonly parts: ReadonlyArray<number> }

/** Dotted quad, 1-3 decimal digits a group, each <= 255 (leading zeros tolerated, read as decimal). */
export const parseIPv4 = (s: string): number | undefined => {
  const len = s.length
  if (len < 7 || len > 15) return undefined
  let n = 0
  let group = 0
  let digits = 0
  let dots = 0
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i)
    if (c >= 48 && c <= 57) {
      group = group * 10 + (c - 48)
      if (++digits > 3 || group > 255) return undefined
    } else if (c === 46) {
      if (digits === 0 || ++dots > 3) return undefined
      n = n * 256 + group
      group = 0
      digits = 0
    } else return undefined
  }
  if (digits === 0 || dots !== 3) return undefined
  return n * 256 + group
}

const v6FromParts = (parts: ReadonlyArray<number>): Ip =>
  // ::ffff:a.b.c.d is the IPv4 address a.b.c.d
  parts[0] === 0 && parts[1] === 0 && parts[2] === 0 && parts[3] === 0 && parts[4] === 0 && parts[5] === 0xffff
    ? { kind: "v4", n: (parts[6]! * 65536 + parts[7]!) }
    : { kind: "v6", parts }

/** IPv6 in any case and compression, with optional brackets and zone (`fe80::1%em0`). */
export const parseIPv6 = (raw: string): Ip | undefined => {
  let s = raw
  if (s.length > 2 && s.charCodeAt(0) === 91 && s.charCodeAt(s.length - 1) === 93) s = s.slice(1, -1)
  if (s.indexOf(":") < 0 || s.length > 64) return undefined
  // A dotted IPv4 tail is rewritten as two hex groups first: ipaddr.js reads `::a.b.c.d` as IPv4-mapped,
  // which would judge `::0.0.0.1` (that is ::1) as 0.0.0.1.
  const tailAt = s.lastIndexOf(":")
  if (s.indexOf(".", tailAt) >= 0) {
    const zone = s.indexOf("%", tailAt)
    const v4 = parseIPv4(zone < 0 ? s.slice(tailAt + 1) : s.slice(tailAt + 1, zone))
    if (v4 === undefined) return undefined
    s = `${s.slice(0, tailAt + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}${zone < 0 ? "" : s.slice(zone)}`
  }
  if (!ipaddr.IPv6.isValid(s)) return undefined
  return v6FromParts(ipaddr.IPv6.parse(s).parts)
}

export const parseIp = (s: string): Ip | undefined =>
  s.indexOf(":") >= 0 ? parseIPv6(s) : (() => {
    const n = parseIPv4(s)
    return n === undefined ? undefined : { kind: "v4", n }
  })()

const hex4 = (n: number): string => n.toString(16).padStart(4, "0")

/** `xxx.xxx.xxx.<last octet>` / `xxxx:xxxx:` + the last two groups of the expanded lower-case form. */
export const maskIp = (ip: Ip): string =>
  ip.kind === "v4" ? `xxx.xxx.xxx.${ip.n & 255}` : `xxxx:xxxx:${hex4(ip.parts[6]!)}:${hex4(ip.parts[7]!)}`

/** The forms `maskIp` produces; they pass a second sanitisation unchanged, so masking is idempotent. */
export const isMasked = (s: string): boolean => MASKED.test(s)
const MASKED = /^(?:xxx\.xxx\.xxx\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)|xxxx:xxxx:[0-9a-f]{4}:[0-9a-f]{4})$/

export const formatIp = (ip: Ip): string =>
  ip.kind === "v4"
    ? `${ip.n >>> 24}.${(ip.n >>> 16) & 255}.${(ip.n >>> 8) & 255}.${ip.n & 255}`
    : ipaddr.IPv6.parse(ip.parts.map(hex4).join(":")).toString()

/**
 * The IPv4 address an IPv4-compatible IPv6 address (`::a.b.c.d`, deprecated but still written) carries;
 * such an address is local when either reading is.
 */
export const embeddedIPv4 = (parts: ReadonlyArray<number>): number | undefined =>
  parts[0] === 0 && parts[1] === 0 && parts[2] === 0 && parts[3] === 0 && parts[4] === 0 && parts[5] === 0
    ? parts[6]! * 65536 + parts[7]!
    : undefined

/** Fully expanded lower-case IPv6 (`fd00:0000:...:0001`); IPv4 as dotted quad. */
export const expandedIp = (ip: Ip): string => (ip.kind === "v4" ? formatIp(ip) : ip.parts.map(hex4).join(":"))
