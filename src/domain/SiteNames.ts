/**
 * Names that identify the site (SPEC section 3). A name is internal when it, or a parent domain, is a
 * special-use or private-use suffix, when it is a single label, when it is this firewall's own domain
 * (OPNsense config.xml `system/domain`, resolv.conf `search`/`domain`) or under it, or when it is listed in
 * `--internal-domains`. An internal name is masked label by label, keeping the special-use suffix, or else
 * the top-level label alone (`nas.corp.local` → `xxx.xxx.local`, `fw.acme.example` → `xxx.xxx.example`).
 * `localhost` names nobody and stays. Pure: the files are read by an adapter (adapters/SiteDomains.ts).
 */
import { needsResolverReading, resolverReading } from "./ResolverText.js"

/** Special-use (RFC 6761, RFC 8375 `home.arpa`, ICANN's `.internal`) and private-use suffixes in common use. */
export const SPECIAL_USE_SUFFIXES: ReadonlyArray<string> = [
  "local", "home.arpa", "internal", "lan", "localdomain", "intranet", "corp", "home", "private"
]

export interface SiteDomain {
  /** Lower case, no leading or trailing dot. */
  readonly domain: string
  /** Where it comes from, for `dump --explain`. */
  readonly origin: string
}

export interface NamePolicy {
  readonly domains: ReadonlyArray<SiteDomain>
}

export const NO_SITE_DOMAINS: NamePolicy = { domains: [] }

const LABEL = /^(?:\*|[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)$/

/** A domain as written in a list or a file: lower case, dots trimmed; undefined when not a domain name. */
export const normaliseDomain = (text: string): string | undefined => {
  const d = text.trim().toLowerCase().replace(/^\*?\.+/, "").replace(/\.+$/, "")
  if (d === "" || d.length > 253) return undefined
  return d.split(".").every((l) => LABEL.test(l) && l !== "*") ? d : undefined
}

/** `--internal-domains a.example,b.example`: the domains, or the first entry that is not one. */
export const parseInternalDomains = (value: string): { domains: Array<SiteDomain>; invalid?: string } => {
  const domains: Array<SiteDomain> = []
  for (const entry of value.split(",")) {
    if (entry.trim() === "") continue
    const d = normaliseDomain(entry)
    if (d === undefined) return { domains, invalid: entry.trim() }
    domains.push({ domain: d, origin: "--internal-domains" })
  }
  return { domains }
}

/** OPNsense config.xml: the `<domain>` of `<system>` (the firewall's own domain, System: Settings: General). */
export const configXmlDomain = (xml: string): string | undefined => {
  const system = /<system\b[^>]*>([\s\S]*?)<\/system>/.exec(xml)?.[1]
  const raw = system === undefined ? undefined : /<domain>\s*([^<]*?)\s*<\/domain>/.exec(system)?.[1]
  return raw === undefined ? undefined : normaliseDomain(raw)
}

/** resolv.conf(5): the `domain` and every `search` entry (the last of either keyword wins, as the resolver reads it; both kept here). */
export const resolvConfDomains = (text: string): Array<string> => {
  const out: Array<string> = []
  for (const line of text.split("\n")) {
    const words = line.replace(/[#;].*$/, "").trim().split(/\s+/)
    if (words[0] !== "domain" && words[0] !== "search") continue
    for (const w of words.slice(1)) {
      const d = normaliseDomain(w)
      if (d !== undefined && !out.includes(d)) out.push(d)
    }
  }
  return out
}

/** How many trailing labels a mask keeps: `home.arpa`, another special-use suffix or the top-level label; none of one label. */
const keptLabels = (labels: ReadonlyArray<string>): number =>
  labels.length <= 1 ? 0 : labels[labels.length - 2] === "home" && labels[labels.length - 1] === "arpa" ? 2 : 1

/**
 * Why a name (lower case, no trailing dot) is internal, or undefined. `single` also judges a single label
 * (a host name field; a word in a certificate subject is not a host name).
 */
export const internalNameRule = (name: string, policy: NamePolicy, single: boolean): string | undefined => {
  if (name === "localhost" || name.endsWith(".localhost")) return undefined
  for (const s of SPECIAL_USE_SUFFIXES) {
    if (name === s || name.endsWith(`.${s}`)) return `special-use suffix .${s}`
  }
  for (const d of policy.domains) {
    if (name === d.domain || name.endsWith(`.${d.domain}`)) return `${d.domain} (${d.origin})`
  }
  if (name.indexOf(".") < 0 && single && !/^\d+$/.test(name) && !/^x+$/.test(name)) return "a single-label name"
  return undefined
}

/** The name's mask: every label `xxx` but the kept suffix (`NAS.corp.Local` → `xxx.xxx.Local`). */
export const maskName = (name: string): string => {
  const labels = name.split(".")
  const keep = keptLabels(labels.map((l) => l.toLowerCase()))
  return labels.map((l, i) => (i >= labels.length - keep || l === "" ? l : "xxx")).join(".")
}

/** A name of a local server (`http.hostname`, `tls.sni`): masked whatever it is, but `localhost` stays. */
export const maskServerName = (name: string): string => {
  const lower = name.toLowerCase().replace(/\.$/, "")
  return lower === "localhost" || lower.endsWith(".localhost") ? name : maskName(name)
}

// Starts only where a run starts: without the look-behind a long run with no dot is tried from each of its
// characters (quadratic: 1 MiB of `e` in tls.subject took minutes).
const NAME = /(?<![A-Za-z0-9_*-])[A-Za-z0-9_*-]+(?:\.[A-Za-z0-9_*-]+)+/g
const SINGLE = /^([A-Za-z0-9_-]+)(\.?)(:\d{1,5})?$/
const DC = /\bDC\s*=\s*([^,+/=]*[^,+/=\s])/gi

const maskPlain = (text: string, policy: NamePolicy, hostField: boolean): { text: string; rule: string | undefined } => {
  let rule: string | undefined
  if (hostField) {
    const m = SINGLE.exec(text.trim())
    const r = m === null ? undefined : internalNameRule(m[1]!.toLowerCase(), policy, true)
    if (r !== undefined) return { text: text.replace(m![1]!, "xxx"), rule: r }
  }
  let out = text.replace(NAME, (name) => {
    const r = internalNameRule(name.toLowerCase(), policy, false)
    if (r === undefined) return name
    rule ??= r
    return maskName(name)
  })
  if (!hostField && out.search(DC) >= 0) {
    const dcs = [...out.matchAll(DC)]
    const labels = dcs.map((m) => m[1]!.toLowerCase())
    const r = internalNameRule(labels.join("."), policy, false)
    if (r !== undefined) {
      rule ??= r
      const keep = keptLabels(labels)
      let rebuilt = ""
      let last = 0
      dcs.forEach((m, i) => {
        if (i >= dcs.length - keep) return
        const at = m.index + m[0].length - m[1]!.length
        rebuilt += `${out.slice(last, at)}xxx`
        last = at + m[1]!.length
      })
      out = rebuilt + out.slice(last)
    }
  }
  return { text: out, rule }
}

/**
 * Masks the internal names written in a text (a host name field when `hostField`, else a certificate's
 * subject or issuer: names inside it and its `DC=` components), read as a resolver reads it; the rule of
 * the first name masked, for `--explain`.
 */
export const maskSiteNames = (text: string, policy: NamePolicy, hostField: boolean): { text: string; rule: string | undefined } => {
  if (needsResolverReading(text)) {
    const read = resolverReading(text)
    if (read !== text) {
      const masked = maskPlain(read, policy, hostField)
      if (masked.text !== read) return masked
    }
  }
  return maskPlain(text, policy, hostField)
}
