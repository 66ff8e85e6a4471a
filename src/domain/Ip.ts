/**
 * IP addresses: strict parsing of the textual forms, canonical forms, the IPv4 addresses an IPv6 address
 * embeds (SPEC section 3), and masking. Hand-written and linear: the same IPv6 reader serves whole fields and
 * the scrubber's every-substring scan (`scanIPv6`), which reports each length at which a text reads as IPv6.
 * An IPv4-mapped IPv6 address is an IPv4 address here: it is judged and masked as one.
 */

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

/**
 * A dotted quad with no leading zero in any group (`10.0.0.1`, not `010.0.0.1`): the usual address field,
 * whose only reading is its decimal one (no octal reading: see octalIPv4). Undefined for anything else.
 */
export const plainIPv4 = (s: string): number | undefined => {
  const n = parseIPv4(s)
  if (n === undefined) return undefined
  for (let i = 0; i < s.length - 1; i++) {
    if (s.charCodeAt(i) === 48 && (i === 0 || s.charCodeAt(i - 1) === 46) && s.charCodeAt(i + 1) !== 46) return undefined
  }
  return n
}

/**
 * The inet_aton reading of a dotted quad whose groups have leading zeros (`012.0.0.1` is 10.0.0.1): a group
 * starting with 0 is octal. Undefined when no group has a leading zero or an octal group is not valid.
 */
export const octalIPv4 = (s: string): number | undefined => {
  // Cheap exit for the usual case (this runs on every IPv4 address field): no group starts with 0 and a digit.
  let leading = false
  for (let i = 0; i < s.length - 1 && !leading; i++) {
    if (s.charCodeAt(i) === 48 && (i === 0 || s.charCodeAt(i - 1) === 46) && s.charCodeAt(i + 1) !== 46) leading = true
  }
  if (!leading) return undefined
  const groups = s.split(".")
  if (groups.length !== 4) return undefined
  let n = 0
  let octal = false
  for (const g of groups) {
    if (!/^\d{1,12}$/.test(g)) return undefined
    let v: number
    if (g.length > 1 && g.charCodeAt(0) === 48) {
      if (!/^[0-7]+$/.test(g)) return undefined
      octal = true
      v = parseInt(g, 8)
    } else v = parseInt(g, 10)
    if (v > 255) return undefined
    n = n * 256 + v
  }
  return octal ? n : undefined
}

const hexValue = (c: number): number =>
  c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1

/** The longest IPv6 text: `ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255`. */
export const MAX_IPV6_TEXT = 45

/**
 * Reads IPv6 from `s` at `start` and calls `onEnd(end, parts)` for every `end` at which `s[start, end)` is
 * an IPv6 address (any case and compression, dotted-quad tail). Looks at most 45 characters ahead; `steps`
 * counts the characters examined (tests bound the scrubber's work with it).
 */
export const scanIPv6 = (
  s: string,
  start: number,
  onEnd: (end: number, parts: ReadonlyArray<number>) => void,
  meter?: { steps: number }
): void => {
  const groups: Array<number> = []
  let dbl = -1
  let cur = 0
  let digits = 0
  let decimal = true
  const limit = Math.min(s.length, start + MAX_IPV6_TEXT)
  /** `tail` groups (0-2: a last hex group, or a dotted quad as two) follow `groups`. */
  const emit = (end: number, tail: number, t0: number, t1: number) => {
    const len = groups.length + tail
    if (dbl < 0 ? len !== 8 : len > 7) return
    const all = tail === 0 ? groups.slice() : tail === 1 ? [...groups, t0] : [...groups, t0, t1]
    onEnd(end, dbl < 0 ? all : [...all.slice(0, dbl), ...new Array<number>(8 - len).fill(0), ...all.slice(dbl)])
  }
  if (s.charCodeAt(start) === 58 && s.charCodeAt(start + 1) !== 58) return
  for (let i = start; i < limit; i++) {
    if (meter !== undefined) meter.steps++
    const c = s.charCodeAt(i)
    const h = hexValue(c)
    if (h >= 0) {
      if (digits === 4) return
      cur = cur * 16 + h
      digits++
      if (h > 9) decimal = false
      emit(i + 1, 1, cur, 0)
    } else if (c === 58) {
      if (digits > 0) {
        groups.push(cur)
        cur = 0
        digits = 0
        decimal = true
        if (groups.length > 7) return
      } else if (i > start && s.charCodeAt(i - 1) === 58) {
        // `::`: only one, and never `:::`.
        if (dbl >= 0 || (i - 1 > start && s.charCodeAt(i - 2) === 58)) return
        dbl = groups.length
        emit(i + 1, 0, 0, 0)
      } else if (i > start) return
    } else if (c === 46) {
      // A dotted-quad tail: the group read so far is its first octet.
      if (digits === 0 || !decimal) return
      let octet = 0
      for (let k = i - digits; k < i; k++) octet = octet * 10 + (s.charCodeAt(k) - 48)
      if (octet > 255) return
      scanTail(s, i + 1, limit, octet, (end, v4) => emit(end, 2, Math.floor(v4 / 65536), v4 & 0xffff), meter)
      return
    } else return
  }
}

/** The three octets after `a.` of a dotted-quad tail; `onEnd` at each length where the quad is complete. */
const scanTail = (
  s: string,
  from: number,
  limit: number,
  first: number,
  onEnd: (end: number, v4: number) => void,
  meter: { steps: number } | undefined
): void => {
  let n = first
  let octet = 0
  let digits = 0
  let dots = 1
  for (let i = from; i < limit; i++) {
    if (meter !== undefined) meter.steps++
    const c = s.charCodeAt(i)
    if (c >= 48 && c <= 57) {
      octet = octet * 10 + (c - 48)
      if (++digits > 3 || octet > 255) return
      if (dots === 3) onEnd(i + 1, n * 256 + octet)
    } else if (c === 46) {
      if (digits === 0 || dots === 3) return
      n = n * 256 + octet
      octet = 0
      digits = 0
      dots++
    } else return
  }
}

const fromParts = (parts: ReadonlyArray<number>): Ip =>
  // ::ffff:a.b.c.d is the IPv4 address a.b.c.d
  parts[0] === 0 && parts[1] === 0 && parts[2] === 0 && parts[3] === 0 && parts[4] === 0 && parts[5] === 0xffff
    ? { kind: "v4", n: parts[6]! * 65536 + parts[7]! }
    : { kind: "v6", parts }

/** IPv6 in any case and compression, with optional brackets and zone (`fe80::1%em0`). */
export const parseIPv6 = (raw: string): Ip | undefined => {
  const parts = parseIPv6Parts(raw)
  return parts === undefined ? undefined : fromParts(parts)
}

/** The eight groups of an IPv6 text, an IPv4-mapped one included (judged as IPv6 and by its IPv4 address). */
export const parseIPv6Parts = (raw: string): ReadonlyArray<number> | undefined => {
  let s = raw
  if (s.length > 2 && s.charCodeAt(0) === 91 && s.charCodeAt(s.length - 1) === 93) s = s.slice(1, -1)
  const zone = s.indexOf("%")
  if (zone >= 0) {
    if (zone === s.length - 1) return undefined
    s = s.slice(0, zone)
  }
  if (s.indexOf(":") < 0 || s.length > MAX_IPV6_TEXT) return undefined
  let found: ReadonlyArray<number> | undefined
  scanIPv6(s, 0, (end, parts) => {
    if (end === s.length) found = parts
  })
  return found
}

export const parseIp = (s: string): Ip | undefined =>
  s.indexOf(":") >= 0 ? parseIPv6(s) : (() => {
    const n = parseIPv4(s)
    return n === undefined ? undefined : { kind: "v4", n }
  })()

/** The same address read from `scanIPv6` parts (IPv4-mapped ones become IPv4). */
export const ipFromParts = fromParts

const hex4 = (n: number): string => n.toString(16).padStart(4, "0")

/**
 * The IPv4 addresses an IPv6 address carries (SPEC section 3): IPv4-compatible `::/96`, SIIT
 * `::ffff:0:0:0/96`, NAT64 `64:ff9b::/96` and `64:ff9b:1::/48` (every RFC 6052 position), 6to4 `2002::/16`,
 * Teredo `2001::/32` (server, and the client inverted), and IPv4-mapped `::ffff:0:0/96` (an IPv6 network such as
 * `::/2` may hold the mapped form of an IPv4 address that is not local itself), and ISATAP `…:0:5efe:a.b.c.d`,
 * `…:200:5efe:a.b.c.d` under any prefix.
 */
export const embeddedIPv4s = (p: ReadonlyArray<number>): Array<number> => {
  const w = (i: number) => p[i]! * 65536 + p[i + 1]!
  const out: Array<number> = []
  if (p[0] === 0 && p[1] === 0 && p[2] === 0 && p[3] === 0) {
    if (p[4] === 0 && (p[5] === 0 || p[5] === 0xffff)) out.push(w(6))
    if (p[4] === 0xffff && p[5] === 0) out.push(w(6))
  }
  if (p[0] === 0x64 && p[1] === 0xff9b) {
    if (p[2] === 0 && p[3] === 0 && p[4] === 0 && p[5] === 0) out.push(w(6))
    if (p[2] === 1) {
      // RFC 6052: the 32 bits follow the prefix, skipping bits 64-71; the prefix is /48, /56, /64 or /96.
      const bytes = p.flatMap((g) => [g >>> 8, g & 255])
      const at = (idx: ReadonlyArray<number>) => idx.reduce((n, i) => n * 256 + bytes[i]!, 0)
      out.push(at([6, 7, 9, 10]), at([7, 9, 10, 11]), at([9, 10, 11, 12]), w(6))
    }
  }
  if (p[0] === 0x2002) out.push(w(1))
  if (p[0] === 0x2001 && p[1] === 0) out.push(w(2), (~w(6)) >>> 0)
  // ISATAP (RFC 5214): interface identifier 0000:5efe or 0200:5efe (either u/g bit) before the IPv4 address.
  if (p[5] === 0x5efe && (p[4]! & 0xfcff) === 0) out.push(w(6))
  return out
}

/** `xxx.xxx.xxx.<last octet>` / `xxxx:xxxx:` + the last two groups of the expanded lower-case form. */
export const maskIp = (ip: Ip): string =>
  ip.kind === "v4" ? `xxx.xxx.xxx.${ip.n & 255}` : `xxxx:xxxx:${hex4(ip.parts[6]!)}:${hex4(ip.parts[7]!)}`

/**
 * The mask of a local address. A local IPv6 address that carries a local IPv4 address (embedded, or as its
 * last 32 bits, which its mask would show) is masked as that IPv4 address: a mask never shows more than the
 * last octet of a local IPv4 address.
 */
export const maskLocal = (ip: Ip, isLocal: (ip: Ip) => boolean): string => {
  if (ip.kind === "v6") {
    for (const n of [...embeddedIPv4s(ip.parts), ip.parts[6]! * 65536 + ip.parts[7]!]) {
      if (isLocal({ kind: "v4", n })) return maskIp({ kind: "v4", n })
    }
  }
  return maskIp(ip)
}

/** The forms `maskIp` produces; they pass a second sanitisation unchanged, so masking is idempotent. */
export const isMasked = (s: string): boolean => s.charCodeAt(0) === 120 && MASKED.test(s)
const MASKED = /^(?:xxx\.xxx\.xxx\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)|xxxx:xxxx:[0-9a-f]{4}:[0-9a-f]{4})$/

/** RFC 5952 text: lower case, no leading zeros, the longest run (2+) of zero groups as `::`. */
const compressV6 = (parts: ReadonlyArray<number>): string => {
  let best = -1
  let bestLen = 1
  for (let i = 0; i < 8; ) {
    let j = i
    while (j < 8 && parts[j] === 0) j++
    if (j - i > bestLen) {
      best = i
      bestLen = j - i
    }
    i = j === i ? i + 1 : j
  }
  const hex = parts.map((g) => g.toString(16))
  if (best < 0) return hex.join(":")
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`
}

export const formatIp = (ip: Ip): string =>
  ip.kind === "v4"
    ? `${ip.n >>> 24}.${(ip.n >>> 16) & 255}.${(ip.n >>> 8) & 255}.${ip.n & 255}`
    : compressV6(ip.parts)

/** The IPv4 address of an IPv4-compatible IPv6 address (`::a.b.c.d`); kept for callers of the old name. */
export const embeddedIPv4 = (parts: ReadonlyArray<number>): number | undefined =>
  parts[0] === 0 && parts[1] === 0 && parts[2] === 0 && parts[3] === 0 && parts[4] === 0 && parts[5] === 0
    ? parts[6]! * 65536 + parts[7]!
    : undefined

/** Fully expanded lower-case IPv6 (`fd00:0000:...:0001`); IPv4 as dotted quad. */
export const expandedIp = (ip: Ip): string => (ip.kind === "v4" ? formatIp(ip) : ip.parts.map(hex4).join(":"))
