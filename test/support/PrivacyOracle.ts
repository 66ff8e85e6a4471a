/**
 * An independent reading of the privacy invariant of SPEC section 3, for tests. It shares nothing with the
 * sanitiser's address reading (src/domain Ip, Scrub, Network; ipaddr.js): texts are read with the reference
 * service's own extraction (src/reference/AddressSpellings.ts, also independent of src/domain), and
 * membership in the local networks is computed here, on 128-bit numbers.
 *
 * An address is local when it is in the networks, or when it is IPv6 and carries (mapped, compatible, SIIT,
 * NAT64, 6to4, Teredo) an IPv4 address that is; an IPv4 spelling with leading zeros is local when its decimal
 * or its octal reading is. A mask `xxxx:xxxx:HHHH:HHHH` whose visible groups are a local IPv4 address leaks it.
 */
import {
  carriedIPv4,
  maskedIPv6In,
  type Reading,
  resolverSpellingsIn,
  spellingsIn,
  strictIPv6
} from "../../src/reference/AddressSpellings.js"
import { internalNamesIn } from "../../src/reference/SiteNameCheck.js"

export { internalNamesIn }

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

export type { Reading }

/** A dotted quad, strict decimal (1-3 digits a group, each <= 255). */
const quad = (s: string): number | undefined => {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s)
  if (m === null) return undefined
  const o = m.slice(1).map(Number)
  return o.every((x) => x <= 255) ? o.reduce((n, x) => n * 256 + x, 0) : undefined
}

/** One address in any whole textual form (brackets and zone allowed), or undefined. */
export const oracleParse = (text: string): Reading | undefined => {
  const s = text.replace(/^\[(.*)\]$/, "$1").replace(/%[0-9a-z]+$/i, "")
  if (!s.includes(":")) {
    const n = quad(s)
    return n === undefined ? undefined : { v: 4, n }
  }
  const value = strictIPv6(s)
  // ::ffff:a.b.c.d stays IPv6: it is local as IPv6 or by the IPv4 address it carries.
  return value === undefined ? undefined : { v: 6, value }
}

export interface OracleNetworks {
  readonly isLocalReading: (r: Reading) => boolean
  /** Is this address (any textual form `oracleParse` reads) local? */
  readonly isLocal: (text: string) => boolean
}

/**
 * The local set for a list of CIDR texts (bare addresses allowed). An IPv4-mapped IPv6 network of prefix
 * >= 96 is the IPv4 network it maps. The always-private ranges are added unless `withPrivate` is false.
 */
export const oracleNetworks = (cidrs: ReadonlyArray<string>, withPrivate = true): OracleNetworks => {
  const v4: Array<[number, number]> = []
  const v6: Array<[bigint, number]> = []
  for (const text of withPrivate ? [...ALWAYS_PRIVATE_ORACLE, ...cidrs] : cidrs) {
    const [addr, p] = text.split("/")
    const parsed = oracleParse(addr!)
    if (parsed === undefined) continue
    // An IPv4-mapped network of prefix >= 96 is that IPv4 network.
    const mapped = parsed.v === 6 && parsed.value >> 32n === 0xffffn && (p === undefined || Number(p) >= 96)
    const a: Reading = mapped && parsed.v === 6 ? { v: 4, n: Number(parsed.value & 0xffffffffn) } : parsed
    const max = a.v === 4 && !mapped ? 32 : 128
    const prefix = p === undefined ? max : Number(p)
    if (!(prefix >= 0 && prefix <= max)) continue
    if (a.v === 4) v4.push([a.n, mapped ? Math.max(0, prefix - 96) : prefix])
    else v6.push([a.value, prefix])
  }
  const v4Local = (n: number) => v4.some(([base, p]) => p === 0 || Math.floor(n / 2 ** (32 - p)) === Math.floor(base / 2 ** (32 - p)))
  const v6Local = (value: bigint) => v6.some(([base, p]) => value >> BigInt(128 - p) === base >> BigInt(128 - p))
  const isLocalReading = (r: Reading): boolean =>
    r.v === 4 ? v4Local(r.n) : v6Local(r.value) || carriedIPv4(r.value).some(v4Local)
  return {
    isLocalReading,
    isLocal: (text) => {
      const r = oracleParse(text)
      return r !== undefined && isLocalReading(r)
    }
  }
}

export interface Found {
  readonly form: "ipv4" | "ipv6" | "mask"
  /** The text as it appears. */
  readonly text: string
  readonly index: number
}

/** Every address written in `text`, local or not. */
export const addressesIn = (text: string): Array<Found> =>
  spellingsIn(text).map((s) => ({ form: s.readings[0]!.v === 4 ? "ipv4" : "ipv6", text: s.text, index: s.index }))

/** The local addresses written in `text`: what must never appear in anything that leaves the machine. */
export const localAddressesIn = (text: string, nets: OracleNetworks, where: "text" | "json" = "text"): Array<Found> => [
  // As written, and as a resolver reads it (percent-decoded, NFKC, IDNA-ignored characters removed). In a
  // whole JSON body a bare integer is a JSON number (a port, a vlan), not host text: strings are read one by one.
  ...[...spellingsIn(text), ...resolverSpellingsIn(text)]
    .filter((s) => where === "text" || !/^\d+$/.test(s.text))
    .filter((s) => s.readings.some(nets.isLocalReading))
    .map((s): Found => ({ form: s.readings[0]!.v === 4 ? "ipv4" : "ipv6", text: s.text, index: s.index })),
  ...maskedIPv6In(text)
    .filter((m) => nets.isLocalReading({ v: 4, n: m.low32 }))
    .map((m): Found => ({ form: "mask", text: m.text, index: m.index }))
]

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

/** HOME_NET membership as Suricata resolves an address group (test/support/AddressGroupOracle.ts). */
export { oracleGroupMember } from "./AddressGroupOracle.js"

/**
 * Issue 25: the server of a flow, judged here on its own (SPEC section 3): `direction` when there is one;
 * else the side on a port below 1024 (or the protocol's usual port: 80/8080 http, 443/8443 tls) when the
 * other's is not; else the local side. Undefined when that side is not local.
 */
export const localServerOf = (record: Record<string, unknown>, nets: OracleNetworks): "src" | "dest" | undefined => {
  const local = (k: string) => typeof record[k] === "string" && nets.isLocal(record[k] as string)
  const usual: Record<string, ReadonlyArray<number>> = { http: [80, 8080], tls: [443, 8443] }
  const known = (p: unknown) =>
    typeof p === "number" && (p < 1024 || (Object.hasOwn(usual, String(record.app_proto)) ? usual[String(record.app_proto)]! : []).includes(p))
  let side: "src" | "dest" | undefined
  if (record.direction === "to_server") side = "dest"
  else if (record.direction === "to_client") side = "src"
  else if (known(record.dest_port) && !known(record.src_port)) side = "dest"
  else if (known(record.src_port) && !known(record.dest_port)) side = "src"
  else side = local("dest_ip") ? "dest" : local("src_ip") ? "src" : undefined
  return side !== undefined && local(`${side}_ip`) ? side : undefined
}

/**
 * What a sent event shows of a local server's identity: certificate fields present, or a name in `tls.sni`
 * or `http.hostname` that shows more than its top-level label (`localhost` and IP masks aside).
 */
export const localServerLeaks = (record: Record<string, unknown>, sent: Record<string, unknown>, nets: OracleNetworks): Array<string> => {
  if (localServerOf(record, nets) === undefined) return []
  const out: Array<string> = []
  const tls = (sent.tls ?? {}) as Record<string, unknown>
  const http = (sent.http ?? {}) as Record<string, unknown>
  for (const k of ["subject", "issuerdn", "serial", "fingerprint"]) if (k in tls) out.push(`tls.${k} sent`)
  for (const [path, v] of [["tls.sni", tls.sni], ["http.hostname", http.hostname]] as const) {
    if (typeof v !== "string" || v === "localhost" || /^x{3,4}[.:]/.test(v)) continue
    const labels = v.split(".")
    if (labels.slice(0, -1).some((l) => l !== "xxx") || (labels.length === 1 && v !== "xxx")) out.push(`${path} ${v}`)
  }
  return out
}
