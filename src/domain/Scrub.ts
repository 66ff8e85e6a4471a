/**
 * Masks local addresses written inside free text (a TLS subject, an SNI, a Host header...).
 *
 * What counts as "an address written in the text" (the privacy invariant uses the same reading):
 * - IPv4: four dot-separated groups of 1-3 decimal digits, not touching another digit; every such window of a
 *   longer dotted run counts (`1.10.0.0.1` holds `10.0.0.1`).
 * - IPv6: a maximal run of hex digits, `:` and `.`, as it is or with leading/trailing `.`/`:` punctuation
 *   trimmed, that parses as IPv6 in any case or compression, IPv4-mapped included.
 * A run holding a local address is replaced as a whole; the rest of the text is kept.
 */
import { type Ip, maskIp, parseIPv4, parseIPv6 } from "./Ip.js"

const DOTTED_RUN = /\d+(?:\.\d+){3,}/g
const COLON_RUN = /[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*/g

/** Every dotted-quad window of a dotted digit run, as parsed IPv4 numbers. */
export const ipv4Windows = (run: string): Array<number> => {
  const groups = run.split(".")
  const out: Array<number> = []
  for (let i = 0; i + 4 <= groups.length; i++) {
    const n = parseIPv4(groups.slice(i, i + 4).join("."))
    if (n !== undefined) out.push(n)
  }
  return out
}

/** The readings of a colon run as IPv6: as is, and with punctuation trimmed at either end. */
export const ipv6Readings = (run: string): Array<Ip> => {
  const candidates = new Set([run, run.replace(/[.:]+$/, ""), run.replace(/^\.+/, "")])
  candidates.add(run.replace(/^(?!::)[.:]+/, "").replace(/[.:]+$/, ""))
  const out: Array<Ip> = []
  for (const c of candidates) {
    const ip = parseIPv6(c)
    if (ip !== undefined) out.push(ip)
  }
  return out
}

export const scrubText = (text: string, isLocal: (ip: Ip) => boolean): string => {
  if (text.indexOf(".") < 0 && text.indexOf(":") < 0) return text
  let out = text
  if (/\d\.\d/.test(out)) {
    // The regex is greedy on digits, so a run never starts or ends beside another digit.
    out = out.replace(DOTTED_RUN, (run) => {
      if (!ipv4Windows(run).some((n) => isLocal({ kind: "v4", n }))) return run
      const groups = run.split(".")
      return groups.map((g, i) => (i === groups.length - 1 ? g : "xxx")).join(".")
    })
  }
  if (out.indexOf(":") >= 0) {
    out = out.replace(COLON_RUN, (run) => {
      if (run.length < 2) return run
      const local = ipv6Readings(run).find(isLocal)
      return local === undefined ? run : maskIp(local)
    })
  }
  return out
}
