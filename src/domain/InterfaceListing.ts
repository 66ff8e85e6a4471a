/**
 * This host's configured addresses read from the system's own listing, whatever the link state (issue 25,
 * point 3: os.networkInterfaces() leaves out interfaces that are down or have lost carrier, and with them the
 * WAN address of a flapping PPPoE link). Pure parsers: FreeBSD/OPNsense `ifconfig -a` text and Linux
 * `ip -j addr` JSON. Each gives CIDR texts (`203.0.113.7/24`); a point-to-point peer counts as a /32 or /128.
 */

const v4Prefix = (mask: string): number | undefined => {
  let n: number
  if (/^0x[0-9a-f]{8}$/i.test(mask)) n = parseInt(mask.slice(2), 16)
  else {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(mask)
    if (m === null) return undefined
    n = m.slice(1).reduce((a, x) => a * 256 + Number(x), 0)
  }
  const bits = n.toString(2).padStart(32, "0")
  return /^1*0*$/.test(bits) ? bits.indexOf("0") < 0 ? 32 : bits.indexOf("0") : undefined
}

const noZone = (a: string) => a.replace(/%[^/\s]*/, "")

/**
 * `ifconfig -a` (FreeBSD, OPNsense; also macOS/NetBSD forms): every `inet`/`inet6` line of every interface,
 * up or down, carrier or not. `inet A netmask 0xffffff00`, `inet A/24`, `inet A --> PEER netmask M`,
 * `inet6 A%scope prefixlen 64`, `inet6 A/64`.
 */
export const parseIfconfig = (text: string): Array<string> => {
  const out: Array<string> = []
  for (const raw of text.split("\n")) {
    const words = raw.trim().split(/\s+/)
    const fam = words[0]
    if ((fam !== "inet" && fam !== "inet6") || words.length < 2) continue
    const addr = noZone(words[1]!)
    const after = (key: string) => {
      const i = words.indexOf(key)
      return i < 0 ? undefined : words[i + 1]
    }
    const peer = after("-->")
    // `A/len`; anything else with a slash is not an address (the caller parses what it gets, this keeps the shape).
    if (addr.includes("/")) {
      if (/^[^/]+\/\d{1,3}$/.test(addr)) out.push(addr)
    } else if (fam === "inet") {
      const mask = after("netmask")
      const p = mask === undefined ? 32 : v4Prefix(mask)
      out.push(`${addr}/${p ?? 32}`)
    } else {
      const p = after("prefixlen")
      out.push(`${addr}/${p !== undefined && /^\d{1,3}$/.test(p) ? p : 128}`)
    }
    if (peer !== undefined && peer !== addr) out.push(`${noZone(peer)}/${fam === "inet" ? 32 : 128}`)
  }
  return out
}

interface IpAddrInfo {
  readonly family?: unknown
  readonly local?: unknown
  readonly address?: unknown
  readonly prefixlen?: unknown
}

/** `ip -j addr` (iproute2): every `addr_info` of every link, whatever its operstate; undefined if not that JSON. */
export const parseIpAddrJson = (text: string): Array<string> | undefined => {
  let links: unknown
  try {
    links = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!Array.isArray(links)) return undefined
  const out: Array<string> = []
  for (const link of links) {
    const infos = (link as { addr_info?: unknown }).addr_info
    if (!Array.isArray(infos)) continue
    for (const i of infos as ReadonlyArray<IpAddrInfo>) {
      if ((i.family !== "inet" && i.family !== "inet6") || typeof i.local !== "string") continue
      const host = i.family === "inet" ? 32 : 128
      const p = typeof i.prefixlen === "number" ? i.prefixlen : host
      out.push(`${noZone(i.local)}/${p}`)
      // A point-to-point peer (`peer` in `ip addr add A peer B`, PPP links).
      if (typeof i.address === "string" && i.address !== i.local) out.push(`${noZone(i.address)}/${host}`)
    }
  }
  return out
}
