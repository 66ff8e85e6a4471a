/**
 * An independent reading of Suricata's address-group semantics, for tests: does an address belong to a group
 * expression? It shares no code with src/domain (AddressGroup, HomeNet, Ip, Network): a recursive-descent
 * reading into a tree, then membership as predicates, where the sanitiser does interval arithmetic.
 *
 * The rules, as read in OISF/suricata src/detect-engine-address.c (master 398687d5d4):
 * - `!` before an entry negates it; several `!` still negate once (n_set is set, not toggled).
 * - A plain `[...]` or `$VAR` merges its entries and negations into the enclosing group; a negated one is
 *   resolved on its own, and all it holds is negated (DetectAddressParseInternal).
 * - Per family, the group is its positive entries, or everything when that family has only negations,
 *   minus the negations (DetectAddressMergeNot, "step 0").
 */
import { strictIPv6 } from "../../src/reference/AddressSpellings.js"

type Fam = 4 | 6
interface Addr {
  readonly fam: Fam
  readonly n: bigint
}

type Item =
  | { readonly neg: boolean; readonly kind: "any" }
  | { readonly neg: boolean; readonly kind: "net"; readonly fam: Fam; readonly lo: bigint; readonly hi: bigint }
  | { readonly neg: boolean; readonly kind: "group"; readonly items: ReadonlyArray<Item> }
  | { readonly neg: boolean; readonly kind: "var"; readonly name: string }

const quad = (s: string): bigint | undefined => {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s)
  if (m === null || m.slice(1).some((x) => Number(x) > 255)) return undefined
  return m.slice(1).reduce((n, x) => n * 256n + BigInt(x), 0n)
}

const read = (s: string): Addr | undefined => {
  if (s.includes(":")) {
    const v = strictIPv6(s)
    return v === undefined ? undefined : { fam: 6, n: v }
  }
  const n = quad(s)
  return n === undefined ? undefined : { fam: 4, n }
}

const net = (text: string): Omit<Extract<Item, { kind: "net" }>, "neg"> => {
  const [a, b] = text.includes("/") ? text.split("/") : text.includes("-") ? [text] : [text]
  if (text.includes("/")) {
    const base = read(a!)!
    const bits = base.fam === 4 ? 32 : 128
    const len = b!.includes(".") ? Number(quad(b!)!.toString(2).replace(/0+$/, "").length) : Number(b)
    const size = 2n ** BigInt(bits - len)
    const lo = (base.n / size) * size
    return { kind: "net", fam: base.fam, lo, hi: lo + size - 1n }
  }
  if (text.includes("-")) {
    const [x, y] = text.split("-").map((t) => read(t)!)
    return { kind: "net", fam: x!.fam, lo: x!.n, hi: y!.n }
  }
  const one = read(text)!
  return { kind: "net", fam: one.fam, lo: one.n, hi: one.n }
}

/** `a, [b, !c], !$D` → items (the expression is assumed valid). */
const parse = (text: string): Array<Item> => {
  const t = text.trim()
  const body = t.startsWith("[") && t.endsWith("]") && closes(t) ? t.slice(1, -1) : t
  const parts: Array<string> = []
  let depth = 0
  let cur = ""
  for (const ch of body) {
    if (ch === "," && depth === 0) {
      parts.push(cur)
      cur = ""
      continue
    }
    if (ch === "[") depth++
    if (ch === "]") depth--
    cur += ch
  }
  parts.push(cur)
  return parts.filter((p) => p.trim() !== "").map((p) => {
    const m = /^\s*(!*)\s*(.*)$/s.exec(p)!
    const neg = m[1]!.length > 0
    const rest = m[2]!.trim()
    if (rest.startsWith("[")) return { neg, kind: "group", items: parse(rest) }
    if (rest.startsWith("$")) return { neg, kind: "var", name: rest.slice(1) }
    if (rest.toLowerCase() === "any") return { neg, kind: "any" }
    return { neg, ...net(rest) }
  })
}

/** Does the opening bracket close at the very end? (`[a],[b]` is two groups, not one.) */
const closes = (t: string) => {
  let depth = 0
  for (let i = 0; i < t.length; i++) {
    if (t[i] === "[") depth++
    if (t[i] === "]" && --depth === 0) return i === t.length - 1
  }
  return false
}

interface Pred {
  readonly fams: ReadonlySet<Fam>
  readonly test: (a: Addr) => boolean
}

const member = (items: ReadonlyArray<Item>, vars: Readonly<Record<string, string>>, a: Addr): boolean => {
  const { pos, neg } = flatten(items, vars)
  const posF = pos.filter((p) => p.fams.has(a.fam))
  const negF = neg.filter((p) => p.fams.has(a.fam))
  const base = posF.length > 0 ? posF.some((p) => p.test(a)) : negF.length > 0
  return base && !negF.some((p) => p.test(a))
}

/** Every interval end of the subtree (and either end of each family): a union and difference of intervals is
 * non-empty in a family exactly when one of these points is in it. */
const points = (items: ReadonlyArray<Item>, vars: Readonly<Record<string, string>>, out: Array<Addr>): Array<Addr> => {
  for (const i of items) {
    if (i.kind === "net") out.push(...[i.lo, i.hi, i.lo - 1n, i.hi + 1n].map((n) => ({ fam: i.fam, n })))
    else if (i.kind === "group" || i.kind === "var") points(i.kind === "group" ? i.items : parse(vars[i.name]!), vars, out)
  }
  return out
}

/** The families in which a (negated) sub-group holds anything. */
const famsOf = (items: ReadonlyArray<Item>, vars: Readonly<Record<string, string>>): Set<Fam> => {
  const ends: Array<Addr> = [{ fam: 4, n: 0n }, { fam: 4, n: 2n ** 32n - 1n }, { fam: 6, n: 0n }, { fam: 6, n: 2n ** 128n - 1n }]
  const inRange = (a: Addr) => a.n >= 0n && a.n < 2n ** (a.fam === 4 ? 32n : 128n)
  return new Set([...ends, ...points(items, vars, [])].filter((a) => inRange(a) && member(items, vars, a)).map((a) => a.fam))
}

const flatten = (items: ReadonlyArray<Item>, vars: Readonly<Record<string, string>>): { pos: Array<Pred>; neg: Array<Pred> } => {
  const pos: Array<Pred> = []
  const neg: Array<Pred> = []
  for (const i of items) {
    const into = i.neg ? neg : pos
    if (i.kind === "any") into.push({ fams: new Set<Fam>([4, 6]), test: () => true })
    else if (i.kind === "net") into.push({ fams: new Set([i.fam]), test: (a) => a.fam === i.fam && a.n >= i.lo && a.n <= i.hi })
    else {
      const sub = i.kind === "group" ? i.items : parse(vars[i.name]!)
      if (!i.neg) {
        const f = flatten(sub, vars)
        pos.push(...f.pos)
        neg.push(...f.neg)
      } else neg.push({ fams: famsOf(sub, vars), test: (a) => member(sub, vars, a) })
    }
  }
  return { pos, neg }
}

/** Is `address` in the group `expr` (variables by name, without `$`), as Suricata resolves it? */
export const oracleGroupMember = (expr: string, vars: Readonly<Record<string, string>>, address: string): boolean => {
  const a = read(address)
  if (a === undefined) throw new Error(`oracle: not an address: ${address}`)
  return member(parse(expr), vars, a)
}
