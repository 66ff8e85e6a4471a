/**
 * A Suricata address group (`[192.168.0.0/16, !$DMZ, 2001:db8::/32]`) resolved to the addresses it holds,
 * with Suricata's own semantics (OISF/suricata src/detect-engine-address.c `DetectAddressParseInternal`,
 * `DetectAddressSetup`, `DetectAddressParseString`, `DetectAddressMergeNot`; src/util-rule-vars.c), read
 * from that code and rewritten here as interval arithmetic:
 *
 * - Entries are split at top-level commas; `[...]` is a nested group; `$NAME` is `vars.address-groups.NAME`
 *   (undefined, empty or looping: an error). A `!` before an entry negates it; several `!` negate once (the
 *   parser sets a flag, it does not toggle it).
 * - A plain nested group or variable adds its entries and negations to the enclosing ones; a negated group or
 *   variable is resolved on its own first, and everything it holds is negated.
 * - The result, per family: the positive entries, or, when a family has negations but no positive entry,
 *   the whole family (`!$EXTERNAL_NET` is every address except those; `[192.168.0.0/16, !2001:db8::/48]`
 *   makes every other IPv6 address part of the group); minus the negations.
 * - Errors: an entry that is not `any`, an address, `a/len`, `a/netmask` (IPv4, CIDR-compatible) or a range
 *   `a-b` (a <= b), as inet_pton reads them (no leading zeros, no spaces after an entry); unbalanced
 *   brackets; the whole IPv4 space negated; nothing left.
 */

export type Range = readonly [bigint, bigint]
export interface AddressSet {
  readonly v4: ReadonlyArray<Range>
  readonly v6: ReadonlyArray<Range>
}

const MAX4 = (1n << 32n) - 1n
const MAX6 = (1n << 128n) - 1n

interface Acc {
  v4: Array<Range>
  v6: Array<Range>
}
const emptyAcc = (): Acc => ({ v4: [], v6: [] })

class GroupError {
  constructor(readonly reason: string) {}
}

/** Sorted, merged, disjoint. */
const normalise = (rs: ReadonlyArray<Range>): Array<Range> => {
  const s = [...rs].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  const out: Array<[bigint, bigint]> = []
  for (const [lo, hi] of s) {
    const last = out[out.length - 1]
    if (last !== undefined && lo <= last[1] + 1n) last[1] = hi > last[1] ? hi : last[1]
    else out.push([lo, hi])
  }
  return out
}

const subtract = (pos: ReadonlyArray<Range>, neg: ReadonlyArray<Range>): Array<Range> => {
  const out: Array<Range> = []
  for (const [lo0, hi] of pos) {
    let lo = lo0
    for (const [nlo, nhi] of neg) {
      if (nhi < lo || nlo > hi) continue
      if (nlo > lo) out.push([lo, nlo - 1n])
      lo = nhi + 1n
      if (lo > hi) break
    }
    if (lo <= hi) out.push([lo, hi])
  }
  return out
}

const covers = (rs: ReadonlyArray<Range>, max: bigint) => rs.length === 1 && rs[0]![0] === 0n && rs[0]![1] === max

/** inet_pton(AF_INET): four decimal groups, no leading zeros. */
const pton4 = (s: string): bigint | undefined => {
  const m = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/.exec(s)
  if (m === null) return undefined
  const o = m.slice(1).map(Number)
  return o.every((x) => x <= 255) ? BigInt(o.reduce((n, x) => n * 256 + x, 0)) : undefined
}

/** inet_pton(AF_INET6), with the project's IPv6 reader (no zone, no brackets). */
const pton6 = (s: string, parseV6: (s: string) => ReadonlyArray<number> | undefined): bigint | undefined => {
  if (/[^0-9a-fA-F:.]/.test(s)) return undefined
  const p = parseV6(s)
  return p === undefined ? undefined : p.reduce((v, g) => (v << 16n) | BigInt(g), 0n)
}

const prefixOf = (s: string, max: number): number | undefined => (/^\d+$/.test(s) && Number(s) <= max ? Number(s) : undefined)

/** One entry (DetectAddressParseString): the family and the range, negated when it starts with `!`. */
const parseEntry = (str: string, parseV6: (s: string) => ReadonlyArray<number> | undefined) => {
  const negated = str.startsWith("!")
  const ip = negated ? str.slice(1) : str
  const v4 = !str.includes(":")
  const bits = v4 ? 32n : 128n
  const max = v4 ? MAX4 : MAX6
  const pton = v4 ? pton4 : (s: string) => pton6(s, parseV6)
  const bad = () => new GroupError(`${JSON.stringify(str)} is not an address, network or range`)
  const slash = ip.indexOf("/")
  let range: Range
  if (slash >= 0) {
    const maskText = ip.slice(slash + 1)
    let prefix: number | undefined
    if (v4 && maskText.includes(".")) {
      const m = pton4(maskText)
      if (m === undefined) throw bad()
      const inv = MAX4 - m
      // Only CIDR-compatible netmasks (Suricata ticket #5168).
      if ((inv & (inv + 1n)) !== 0n) throw bad()
      prefix = 32 - inv.toString(2).replace(/^0$/, "").length
    } else prefix = prefixOf(maskText, Number(bits))
    const a = pton(ip.slice(0, slash))
    if (prefix === undefined || a === undefined) throw bad()
    const host = (1n << (bits - BigInt(prefix))) - 1n
    range = [a & (max - host), (a & (max - host)) | host]
  } else if (ip.includes("-")) {
    const dash = ip.indexOf("-")
    const a = pton(ip.slice(0, dash))
    const b = pton(ip.slice(dash + 1))
    if (a === undefined || b === undefined || a > b) throw bad()
    range = [a, b]
  } else {
    const a = pton(ip)
    if (a === undefined) throw bad()
    range = [a, a]
  }
  return { v4, negated, range, max }
}

/** DetectAddressSetup: `any`, or one entry (an entry still starting with `!` adds its complement). */
const setup = (acc: Acc, raw: string, parseV6: (s: string) => ReadonlyArray<number> | undefined) => {
  const s = raw.replace(/^[ \t\n\v\f\r]+/, "")
  if (s.toLowerCase() === "any") {
    acc.v4.push([0n, MAX4])
    acc.v6.push([0n, MAX6])
    return
  }
  const e = parseEntry(s, parseV6)
  const into = e.v4 ? acc.v4 : acc.v6
  if (!e.negated) return void into.push(e.range)
  const rest = subtract([[0n, e.max]], [e.range])
  if (rest.length === 0) throw new GroupError(`${JSON.stringify(s)} negates every address`)
  into.push(...rest)
}

/** DetectAddressMergeNot: what the positive and negated entries of one group hold. */
const mergeNot = (pos: Acc, neg: Acc): AddressSet => {
  const n4 = normalise(neg.v4)
  const n6 = normalise(neg.v6)
  if (covers(n4, MAX4)) throw new GroupError("the whole IPv4 space is negated")
  const p4 = pos.v4.length === 0 && n4.length > 0 ? [[0n, MAX4] as const] : normalise(pos.v4)
  const p6 = pos.v6.length === 0 && n6.length > 0 ? [[0n, MAX6] as const] : normalise(pos.v6)
  const v4 = subtract(p4, n4)
  const v6 = subtract(p6, n6)
  if (v4.length === 0 && v6.length === 0) throw new GroupError("no address is left once the negations are applied")
  return { v4, v6 }
}

export interface GroupContext {
  /** The value of `$NAME` (a string), or undefined when it is not defined or has no value. */
  readonly variable: (name: string) => string | undefined
  readonly parseV6: (s: string) => ReadonlyArray<number> | undefined
}

const MAX_RECURSION = 64

/** DetectAddressParseInternal: entries of `s` into `pos`/`neg`, `negate` when the whole of `s` is negated. */
const parseInto = (s: string, negate: boolean, pos: Acc, neg: Acc, ctx: GroupContext, recur: number): void => {
  if (recur > MAX_RECURSION) throw new GroupError(`groups or variables nested deeper than ${MAX_RECURSION} (a loop?)`)
  let buf = ""
  let inBlock = false // a `[` was met at this level (o_set)
  let bang = false // a `!` was met before the entry (n_set)
  let dollar = false // the entry is a variable (d_set)
  let depth = 0
  const variable = (text: string, odd: boolean) => {
    const name = text.replace(/^[ \t\n\v\f\r]+/, "").replace(/^\$/, "")
    const value = ctx.variable(name)
    if (value === undefined) throw new GroupError(`$${name} is not defined`)
    if (value === "") throw new GroupError(`$${name} is empty`)
    parseInto(odd ? `[${value}]` : value, odd, pos, neg, ctx, recur + 1)
  }
  for (let u = 0; u < s.length; u++) {
    const ch = s[u]!
    if (!inBlock && ch === "!") {
      bang = true
      continue
    }
    buf += ch
    const odd = negate !== bang
    if (ch === "[") {
      if (!inBlock) {
        inBlock = true
        buf = ""
      }
      depth++
    } else if (ch === "]") {
      if (depth === 1) {
        const block = buf.slice(0, -1)
        buf = ""
        if (!odd) parseInto(block, false, pos, neg, ctx, recur + 1)
        else {
          const p = emptyAcc()
          const n = emptyAcc()
          parseInto(block, false, p, n, ctx, recur + 1)
          const r = mergeNot(p, n)
          neg.v4.push(...r.v4)
          neg.v6.push(...r.v6)
        }
        bang = false
      }
      depth--
    } else if (depth === 0 && ch === ",") {
      if (inBlock) inBlock = false
      else if (dollar) {
        variable(buf.slice(0, -1), odd)
        dollar = false
        bang = false
      } else {
        setup(odd ? neg : pos, buf.slice(0, -1), ctx.parseV6)
        bang = false
      }
      buf = ""
    } else if (depth === 0 && ch === "$") dollar = true
    else if (depth === 0 && u === s.length - 1) {
      if (dollar) variable(buf, odd)
      else setup(odd ? neg : pos, buf, ctx.parseV6)
      dollar = false
      bang = false
      buf = ""
    }
  }
  if (depth !== 0) throw new GroupError(`unbalanced brackets in ${JSON.stringify(s)}`)
}

/** The addresses of a group expression, or why Suricata would refuse it. */
export const resolveGroup = (expr: string, ctx: GroupContext): { readonly set: AddressSet } | { readonly error: string } => {
  try {
    const pos = emptyAcc()
    const neg = emptyAcc()
    parseInto(expr, false, pos, neg, ctx, 0)
    return { set: mergeNot(pos, neg) }
  } catch (e) {
    if (e instanceof GroupError) return { error: e.reason }
    throw e
  }
}

/** The CIDR blocks covering an inclusive range of `bits`-bit numbers, as [base, prefix]. */
export const rangeBlocks = (lo0: bigint, hi: bigint, bits: number): Array<[bigint, number]> => {
  const out: Array<[bigint, number]> = []
  let lo = lo0
  while (lo <= hi) {
    let k = 0
    while (k < bits && ((lo >> BigInt(k)) & 1n) === 0n && lo + (1n << BigInt(k + 1)) - 1n <= hi) k++
    out.push([lo, bits - k])
    lo += 1n << BigInt(k)
  }
  return out
}

export const isWholeV4 = (s: AddressSet) => covers(s.v4, MAX4)
export const isWholeV6 = (s: AddressSet) => covers(s.v6, MAX6)
