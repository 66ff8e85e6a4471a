/**
 * An independent reading of the privacy invariant of SPEC section 3, for tests. It shares no code with
 * src/domain (Ip, Network, Scrub): address grammar is ipaddr.js plus the regular expressions below, and CIDR
 * membership is ipaddr.js's `match`.
 *
 * What counts as an address written in a text:
 * - IPv4: four dot-separated groups of 1-3 decimal digits (each <= 255, leading zeros read as decimal) that
 *   do not touch another digit; every such window of a longer dotted run counts (`1.10.0.0.1` holds
 *   `10.0.0.1`).
 * - IPv6: a maximal run of `[0-9A-Fa-f:.]`, as it is or with any amount of leading and/or trailing `.`/`:`
 *   trimmed, or with a dotted word cut off either end (before its first colon, after its last), that
 *   ipaddr.js parses as IPv6 (a dotted tail must be strict dotted decimal). An IPv4-mapped address
 *   (`::ffff:a.b.c.d`, `::ffff:c0a8:105`) is judged as its IPv4 address; an IPv4-compatible one
 *   (`::a.b.c.d`) is local when either reading is.
 */
import ipaddr from "ipaddr.js"

/** SPEC section 3's always-private ranges, written out again here on purpose (not imported from src). */
export const ALWAYS_PRIVATE_ORACLE: ReadonlyArray<string> = [
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "fc00::/7",
  "fe80::/10",
  "::1/128"
]

type V4Range = [ipaddr.IPv4, number]
type V6Range = [ipaddr.IPv6, number]

export interface OracleNetworks {
  readonly v4: ReadonlyArray<V4Range>
  readonly v6: ReadonlyArray<V6Range>
  /** Is this address (any textual form `oracleParse` reads) local? */
  readonly isLocal: (text: string) => boolean
}

/**
 * The local set for a list of CIDR texts (bare addresses allowed). An IPv4-mapped IPv6 network of prefix
 * >= 96 is the IPv4 network it maps. The always-private ranges are added unless `withPrivate` is false.
 */
export const oracleNetworks = (cidrs: ReadonlyArray<string>, withPrivate = true): OracleNetworks => {
  const v4: Array<V4Range> = []
  const v6: Array<V6Range> = []
  for (const text of withPrivate ? [...ALWAYS_PRIVATE_ORACLE, ...cidrs] : cidrs) {
    const t = text.includes("/") ? text : `${text}/${text.includes(":") ? 128 : 32}`
    let range: [ipaddr.IPv4 | ipaddr.IPv6, number]
    try {
      range = ipaddr.parseCIDR(t)
    } catch {
      continue
    }
    const [addr, prefix] = range
    if (addr.kind() === "ipv4") v4.push([addr as ipaddr.IPv4, prefix])
    else {
      const a6 = addr as ipaddr.IPv6
      if (prefix >= 96 && a6.isIPv4MappedAddress()) v4.push([a6.toIPv4Address(), prefix - 96])
      else v6.push([a6, prefix])
    }
  }
  const v4Local = (a: ipaddr.IPv4) => v4.some((r) => a.match(r))
  const v6Local = (a: ipaddr.IPv6): boolean => {
    if (a.isIPv4MappedAddress()) return v4Local(a.toIPv4Address())
    if (v6.some((r) => a.match(r))) return true
    // IPv4-compatible (::a.b.c.d, first 96 bits zero): local when its IPv4 reading is, too.
    const p = a.parts
    return p.slice(0, 6).every((x) => x === 0) && v4Local(new ipaddr.IPv4([p[6]! >> 8, p[6]! & 255, p[7]! >> 8, p[7]! & 255]))
  }
  const isLocal = (text: string): boolean => {
    const a = oracleParse(text)
    return a === undefined ? false : a.kind() === "ipv4" ? v4Local(a as ipaddr.IPv4) : v6Local(a as ipaddr.IPv6)
  }
  return { v4, v6, isLocal }
}

/**
 * IPv6 in any spelling, brackets and zone allowed. A dotted tail must be strict dotted decimal (1-3 digit
 * groups, each <= 255) and is read as the last two groups: ipaddr.js alone would read `::a.b.c.d` as
 * IPv4-mapped, and accept `0001.2.3.4` or hex octets.
 */
export const parseIPv6Oracle = (text: string): ipaddr.IPv6 | undefined => {
  let s = text.replace(/^\[(.*)\]$/, "$1").replace(/%[0-9a-z]+$/i, "")
  const tail = s.lastIndexOf(":")
  if (tail < 0) return undefined
  if (s.indexOf(".", tail) >= 0) {
    const v4 = parseDottedDecimal(s.slice(tail + 1))
    if (v4 === undefined || s.slice(0, tail).includes(".")) return undefined
    const [a, b, c, d] = v4.octets as [number, number, number, number]
    s = `${s.slice(0, tail + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  return ipaddr.IPv6.isValid(s) ? ipaddr.IPv6.parse(s) : undefined
}

/** An address in any textual form: strict dotted decimal IPv4, or IPv6 as `parseIPv6Oracle` reads it. */
export const oracleParse = (text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined =>
  text.includes(":") ? parseIPv6Oracle(text) : parseDottedDecimal(text)

/** Strict dotted decimal, leading zeros read as decimal (ipaddr.js would read them as octal). */
const parseDottedDecimal = (s: string): ipaddr.IPv4 | undefined => {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s)
  if (m === null) return undefined
  const octets = m.slice(1, 5).map((g) => parseInt(g, 10))
  return octets.every((o) => o <= 255) ? new ipaddr.IPv4(octets) : undefined
}

export interface Found {
  readonly form: "ipv4" | "ipv6"
  /** The text as it appears. */
  readonly text: string
  readonly index: number
}

/** Every IPv4 window: at each position not preceded by a digit, four 1-3 digit groups not followed by a digit. */
const IPV4_WINDOW = /(?<!\d)(?=(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})(?!\d))/g
const HEX_RUN = /[0-9A-Fa-f:.]+/g

/**
 * The readings of a run: it, and it with any amount of `.`/`:` trimmed at either end; the same again after
 * cutting a dotted word off either end (`cafe.fd00::1` holds `fd00::1`: an IPv6 address has dots only
 * after its last colon, so whatever precedes a dot before the first colon is a neighbouring word).
 */
const readings = (run: string): Array<string> => {
  const out = new Set<string>()
  const bases = new Set([run])
  const first = run.indexOf(":")
  for (let i = 0; i < first; i++) if (run[i] === ".") bases.add(run.slice(i + 1))
  for (const b of [...bases]) {
    // After the last colon an address ends with a hex group or a dotted quad; a dotted word may follow.
    const tailStart = b.lastIndexOf(":") + 1
    const quad = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/.exec(b.slice(tailStart))
    const dot = b.indexOf(".", tailStart)
    if (quad !== null) bases.add(b.slice(0, tailStart + quad[0].length))
    else if (dot >= 0) bases.add(b.slice(0, dot))
  }
  for (const base of bases) {
    const lead = /^[.:]*/.exec(base)![0].length
    const trail = base.length - lead === 0 ? 0 : /[.:]*$/.exec(base)![0].length
    for (let i = 0; i <= lead; i++) {
      for (let j = 0; j <= trail; j++) {
        const r = base.slice(i, base.length - j)
        if (r.length > 1) out.add(r)
      }
    }
  }
  return [...out]
}

/** Every address written in `text`, local or not. */
export const addressesIn = (text: string): Array<Found> => {
  const found: Array<Found> = []
  for (const m of text.matchAll(IPV4_WINDOW)) {
    if (parseDottedDecimal(m[1]!) !== undefined) found.push({ form: "ipv4", text: m[1]!, index: m.index })
  }
  for (const m of text.matchAll(HEX_RUN)) {
    if (!m[0].includes(":")) continue
    for (const r of readings(m[0])) {
      if (parseIPv6Oracle(r) !== undefined) found.push({ form: "ipv6", text: r, index: m.index + m[0].indexOf(r) })
    }
  }
  return found
}

/** The local addresses written in `text`: what must never appear in anything that leaves the machine. */
export const localAddressesIn = (text: string, nets: OracleNetworks): Array<Found> =>
  addressesIn(text).filter((f) => nets.isLocal(f.text))

/** Walks a JSON value: every key path (`a.b.c`, arrays as `[]`) and every string leaf. */
export const walk = (
  value: unknown,
  onKey: (path: string) => void,
  onString: (s: string) => void,
  path = ""
): void => {
  if (typeof value === "string") onString(value)
  else if (Array.isArray(value)) value.forEach((v) => walk(v, onKey, onString, `${path}[]`))
  else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      const p = path === "" ? k : `${path}.${k}`
      onKey(p)
      onString(k)
      walk(v, onKey, onString, p)
    }
  }
}
