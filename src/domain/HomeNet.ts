/**
 * HOME_NET as Suricata resolves it (SPEC section 3), over already-read documents: suricata.yaml and the
 * files it includes (`include:` a string or a list; the adapter reads them, in order, with `includesOf`),
 * later definitions winning; dotted keys (`vars.address-groups.HOME_NET:`); CIDRs, netmasks, ranges (IPv4
 * and IPv6), nested groups, `$VAR`, `any`; a negated entry is ignored, a doubly negated one counts.
 *
 * Fail closed: anything that cannot be fully understood (a YAML error, an unreadable or cyclic include, an
 * entry that is not an address, network, range or known variable) makes every address local for the run,
 * with one message saying why.
 */
import { parseDocument } from "yaml"
import { parseIPv4, parseIPv6Parts } from "./Ip.js"
import { type Cidr, parseCidr } from "./Network.js"

export interface HomeNet {
  readonly cidrs: ReadonlyArray<Cidr>
  readonly warnings: ReadonlyArray<string>
  /** Why HOME_NET could not be understood; then `cidrs` is every address. */
  readonly failure?: string | undefined
}

/** One file of the include tree: its text, or why it could not be read. */
export interface ConfigDocument {
  readonly path: string
  readonly text?: string | undefined
  readonly problem?: string | undefined
}

/** Includes deeper than this are refused (Suricata's own configurations nest one or two levels). */
export const MAX_INCLUDE_DEPTH = 8

const EVERYTHING = ["0.0.0.0/0", "::/0"]
const everything = (): Array<Cidr> => EVERYTHING.map((c) => parseCidr(c)!)

type Parsed = { readonly doc: unknown } | { readonly error: string }

const parseYaml = (text: string): Parsed => {
  try {
    const d = parseDocument(text, { uniqueKeys: false })
    if (d.errors.length > 0) return { error: `not valid YAML (${d.errors[0]!.message.split("\n")[0]})` }
    return { doc: d.toJS() }
  } catch (e) {
    return { error: `not valid YAML (${(e as Error).message.split("\n")[0]})` }
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

/** The `include:` entries of a document, in order (relative paths are the caller's to resolve). */
export const includesOf = (text: string): { readonly includes: ReadonlyArray<string>; readonly problem?: string } => {
  const p = parseYaml(text)
  if ("error" in p) return { includes: [], problem: p.error }
  const inc = isRecord(p.doc) ? p.doc.include : undefined
  if (inc === undefined || inc === null) return { includes: [] }
  const list = Array.isArray(inc) ? inc : [inc]
  if (!list.every((x): x is string => typeof x === "string")) return { includes: [], problem: "`include` is not a file name or a list of them" }
  return { includes: list }
}

/** Address groups of one document, dotted keys and nesting alike (`vars.address-groups.NAME`). */
const groupsOf = (doc: unknown, into: Map<string, unknown>): void => {
  const walk = (v: unknown, path: string) => {
    if (isRecord(v)) {
      for (const [k, x] of Object.entries(v)) walk(x, path === "" ? k : `${path}.${k}`)
      return
    }
    const prefix = "vars.address-groups."
    if (path.startsWith(prefix) && path.indexOf(".", prefix.length) < 0) into.set(path.slice(prefix.length), v)
  }
  walk(doc, "")
}

/** Splits `[a, [b, !c], $D]` into its top-level items; undefined when the brackets do not balance. */
const splitGroup = (s: string): Array<string> | undefined => {
  const t = s.trim()
  if (t.startsWith("[") && !t.endsWith("]")) return undefined
  const inner = t.startsWith("[") ? t.slice(1, -1) : t
  const items: Array<string> = []
  let depth = 0
  let cur = ""
  for (const ch of inner) {
    if (ch === "[") depth++
    if (ch === "]" && --depth < 0) return undefined
    if (ch === "," && depth === 0) {
      items.push(cur.trim())
      cur = ""
    } else cur += ch
  }
  if (depth !== 0) return undefined
  if (cur.trim() !== "" || items.length > 0) items.push(cur.trim())
  return items
}

/** The CIDRs covering an inclusive range of `bits`-bit addresses. */
const rangeCidrs = (lo: bigint, hi: bigint, bits: number, make: (n: bigint, prefix: number) => Cidr): Array<Cidr> => {
  const out: Array<Cidr> = []
  while (lo <= hi) {
    let k = 0
    while (k < bits && ((lo >> BigInt(k)) & 1n) === 0n && lo + (1n << BigInt(k + 1)) - 1n <= hi) k++
    out.push(make(lo, bits - k))
    lo += 1n << BigInt(k)
  }
  return out
}

const v4Cidr = (n: bigint, prefix: number): Cidr => ({ ip: { kind: "v4", n: Number(n) }, prefix })
const v6Cidr = (n: bigint, prefix: number): Cidr => ({
  ip: { kind: "v6", parts: Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(112 - 16 * i)) & 0xffffn)) },
  prefix
})
const v6Value = (parts: ReadonlyArray<number>) => parts.reduce((v, g) => (v << 16n) | BigInt(g), 0n)

/** One entry that is not a group, variable or `any`: CIDR, address, netmask or range. */
export const parseAddressEntry = (item: string): Array<Cidr> | undefined => {
  const dash = item.indexOf("-")
  if (dash > 0) {
    const a = item.slice(0, dash).trim()
    const b = item.slice(dash + 1).trim()
    const a4 = parseIPv4(a)
    const b4 = parseIPv4(b)
    if (a4 !== undefined && b4 !== undefined) return a4 <= b4 ? rangeCidrs(BigInt(a4), BigInt(b4), 32, v4Cidr) : undefined
    const a6 = parseIPv6Parts(a)
    const b6 = parseIPv6Parts(b)
    if (a6 === undefined || b6 === undefined) return undefined
    const lo = v6Value(a6)
    const hi = v6Value(b6)
    return lo <= hi ? rangeCidrs(lo, hi, 128, v6Cidr) : undefined
  }
  const slash = item.indexOf("/")
  if (slash > 0 && item.indexOf(".", slash) > 0) {
    // a.b.c.d/255.255.255.0: a contiguous netmask is a prefix length.
    const mask = parseIPv4(item.slice(slash + 1))
    if (mask === undefined) return undefined
    const prefix = 32 - Math.log2(2 ** 32 - mask)
    if (!Number.isInteger(prefix)) return undefined
    const c = parseCidr(`${item.slice(0, slash)}/${prefix}`)
    return c === undefined ? undefined : [c]
  }
  const c = parseCidr(item)
  return c === undefined ? undefined : [c]
}

/** Resolves an address-group expression against the variables; `problems` lists what was not understood. */
export const resolveAddressGroup = (
  expr: string,
  groups: Record<string, unknown> | ReadonlyMap<string, unknown>
): { cidrs: Array<Cidr>; warnings: Array<string>; problems: Array<string> } => {
  const get = (name: string) => (groups instanceof Map ? groups.get(name) : (groups as Record<string, unknown>)[name])
  const cidrs: Array<Cidr> = []
  const warnings: Array<string> = []
  const problems: Array<string> = []
  const visit = (e: string, negated: boolean, seen: ReadonlyArray<string>): void => {
    const items = splitGroup(e)
    if (items === undefined) return void problems.push(`unbalanced brackets in ${JSON.stringify(e)}`)
    if (items.length === 0) return void problems.push(`an empty group ${JSON.stringify(e)}`)
    for (const raw of items) {
      let item = raw
      let neg = negated
      while (item.startsWith("!")) {
        item = item.slice(1).trim()
        neg = !neg
      }
      if (item === "") problems.push(`an empty entry in ${JSON.stringify(e)}`)
      else if (item.startsWith("[")) visit(item, neg, seen)
      else if (item.startsWith("$")) {
        const name = item.slice(1)
        const value = get(name)
        if (seen.includes(name)) problems.push(`$${name} refers to itself`)
        else if (typeof value !== "string") problems.push(`$${name} is not defined`)
        else visit(value, neg, [...seen, name])
      } else if (item.toLowerCase() === "any") {
        if (!neg) {
          warnings.push("HOME_NET includes `any`: every address is treated as local")
          cidrs.push(...everything())
        }
      } else {
        const c = parseAddressEntry(item)
        if (c === undefined) problems.push(`${JSON.stringify(item)} is not an address, network or range`)
        else if (!neg) cidrs.push(...c)
      }
    }
  }
  visit(expr, false, ["HOME_NET"])
  return { cidrs, warnings, problems }
}

const failClosed = (failure: string, warnings: ReadonlyArray<string> = []): HomeNet => ({ cidrs: everything(), warnings, failure })

/**
 * HOME_NET from the documents of an include tree, in reading order (a file, then what it includes): later
 * definitions win. Each cidr remembers where HOME_NET was defined, for `dump --explain`.
 */
export const homeNetFromDocuments = (docs: ReadonlyArray<ConfigDocument>): HomeNet => {
  const groups = new Map<string, unknown>()
  const definedIn = new Map<string, string>()
  for (const d of docs) {
    if (d.problem !== undefined) return failClosed(`${d.path}: ${d.problem}`)
    const p = parseYaml(d.text ?? "")
    if ("error" in p) return failClosed(`${d.path}: ${p.error}`)
    const mine = new Map<string, unknown>()
    groupsOf(p.doc, mine)
    for (const [k, v] of mine) {
      groups.set(k, v)
      definedIn.set(k, d.path)
    }
  }
  const home = groups.get("HOME_NET")
  if (typeof home !== "string") {
    return failClosed(home === undefined ? "no vars.address-groups.HOME_NET" : "HOME_NET is not a string")
  }
  const r = resolveAddressGroup(home, groups)
  if (r.problems.length > 0) return failClosed(`HOME_NET: ${r.problems[0]}`, r.warnings)
  const origin = `HOME_NET in ${definedIn.get("HOME_NET")}`
  return { cidrs: r.cidrs.map((c) => ({ ...c, origin })), warnings: r.warnings }
}

/** `--home-net 10.0.0.0/8,fd00::/8` replaces HOME_NET (same syntax as the YAML value); `failure` is a usage error. */
export const homeNetFromFlag = (value: string): HomeNet => {
  const r = resolveAddressGroup(value, new Map())
  return r.problems.length > 0
    ? { cidrs: [], warnings: r.warnings, failure: r.problems[0] }
    : { cidrs: r.cidrs.map((c) => ({ ...c, origin: "--home-net" })), warnings: r.warnings }
}
