/**
 * CIDR networks and the set of "local" networks whose addresses must never leave the machine.
 */
import { embeddedIPv4s, expandedIp, type Ip, parseIp } from "./Ip.js"

export interface Cidr {
  readonly ip: Ip
  readonly prefix: number
  /** Where it comes from (`HOME_NET in /path/custom.yaml`, `interface`...), for `dump --explain`. */
  readonly origin?: string | undefined
}

export interface NetworkSet {
  readonly cidrs: ReadonlyArray<Cidr>
  readonly contains: (ip: Ip) => boolean
  /** Which network holds the address and why (`10.0.0.0/8 (always private)`); only `--explain` asks. */
  readonly explain?: (ip: Ip) => string | undefined
}

/** Always local, whatever HOME_NET says (SPEC section 3). */
export const ALWAYS_PRIVATE: ReadonlyArray<string> = [
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

/** `10.0.0.0/8`, `fd00::/8`, or a bare address (a /32 or /128). An IPv4-mapped IPv6 network becomes IPv4. */
export const parseCidr = (text: string): Cidr | undefined => {
  const s = text.trim()
  const slash = s.indexOf("/")
  const addr = slash < 0 ? s : s.slice(0, slash)
  const ip = parseIp(addr)
  if (ip === undefined) return undefined
  const mappedV6 = ip.kind === "v4" && addr.indexOf(":") >= 0
  const max = ip.kind === "v4" && !mappedV6 ? 32 : 128
  let prefix = max
  if (slash >= 0) {
    const p = s.slice(slash + 1)
    if (!/^\d{1,3}$/.test(p)) return undefined
    prefix = Number(p)
    if (prefix > max) return undefined
  }
  if (mappedV6) prefix = Math.max(0, prefix - 96)
  return { ip, prefix }
}

const v4Mask = (prefix: number): number => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0)

const v6Contains = (net: ReadonlyArray<number>, prefix: number, parts: ReadonlyArray<number>): boolean => {
  let bits = prefix
  for (let i = 0; i < 8 && bits > 0; i++, bits -= 16) {
    const m = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff
    if ((net[i]! & m) !== (parts[i]! & m)) return false
  }
  return true
}

export const makeNetworkSet = (cidrs: ReadonlyArray<Cidr>): NetworkSet => {
  const v4 = cidrs.flatMap((c) =>
    c.ip.kind === "v4" ? [{ mask: v4Mask(c.prefix), base: (c.ip.n & v4Mask(c.prefix)) >>> 0 }] : []
  )
  const v6 = cidrs.flatMap((c) => (c.ip.kind === "v6" ? [{ parts: c.ip.parts, prefix: c.prefix }] : []))
  const explain = (ip: Ip): string | undefined => {
    const one = (c: Cidr) => makeNetworkSet([c]).contains(ip)
    const c = cidrs.find(one)
    const text = (x: Cidr) => `${expandedIp(x.ip)}/${x.prefix}${x.origin === undefined ? "" : ` (${x.origin})`}`
    if (c !== undefined) {
      const direct = ip.kind === "v4" || c.ip.kind === "v6"
      return direct ? text(c) : `embedded IPv4 in ${text(c)}`
    }
    return undefined
  }
  return {
    cidrs,
    explain,
    contains: (ip) => {
      if (ip.kind === "v4") {
        for (const r of v4) if (((ip.n & r.mask) >>> 0) === r.base) return true
        return false
      }
      for (const r of v6) if (v6Contains(r.parts, r.prefix, ip.parts)) return true
      // An IPv6 address that carries a local IPv4 address is local (SPEC section 3).
      // Only these first groups carry an IPv4 address (see embeddedIPv4s): the rest skip the allocation.
      const g0 = ip.parts[0]
      if (g0 !== 0 && g0 !== 0x64 && g0 !== 0x2001 && g0 !== 0x2002 && ip.parts[5] !== 0x5efe) return false
      for (const v4n of embeddedIPv4s(ip.parts)) for (const r of v4) if (((v4n & r.mask) >>> 0) === r.base) return true
      return false
    }
  }
}

/** Parses a list of CIDR texts; the ones that do not parse are returned for a warning. */
export const parseCidrs = (texts: Iterable<string>): { cidrs: Array<Cidr>; invalid: Array<string> } => {
  const cidrs: Array<Cidr> = []
  const invalid: Array<string> = []
  for (const t of texts) {
    const c = parseCidr(t)
    if (c === undefined) invalid.push(t)
    else cidrs.push(c)
  }
  return { cidrs, invalid }
}

/** HOME_NET ∪ interface networks ∪ always-private ranges. */
export const localNetworks = (homeNet: ReadonlyArray<Cidr>, interfaces: ReadonlyArray<Cidr>): NetworkSet =>
  makeNetworkSet([
    ...parseCidrs(ALWAYS_PRIVATE).cidrs.map((c) => ({ ...c, origin: "always private" })),
    ...homeNet.map((c) => (c.origin === undefined ? { ...c, origin: "HOME_NET" } : c)),
    ...interfaces.map((c) => ({ ...c, origin: c.origin ?? "this host's interface" }))
  ])
