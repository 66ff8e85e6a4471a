/**
 * HOME_NET from suricata.yaml (`vars.address-groups.HOME_NET`), with `$VAR` references resolved, nested
 * `[...]` groups flattened and `!` negations ignored (a negated range stays local: masking more is safe).
 * `any` makes every address local.
 */
import { parseDocument } from "yaml"
import { type Cidr, parseCidr } from "./Network.js"

export interface HomeNet {
  readonly cidrs: ReadonlyArray<Cidr>
  readonly warnings: ReadonlyArray<string>
}

const EVERYTHING = ["0.0.0.0/0", "::/0"]

/** Splits `[a, [b, !c], $D]` into its top-level items. */
const splitGroup = (s: string): Array<string> => {
  const t = s.trim()
  // An unclosed `[` is read as if closed (each level strictly shorter, so nesting always ends).
  const inner = t.startsWith("[") ? t.slice(1, t.endsWith("]") ? -1 : undefined) : t
  const items: Array<string> = []
  let depth = 0
  let cur = ""
  for (const ch of inner) {
    if (ch === "[") depth++
    if (ch === "]") depth--
    if (ch === "," && depth === 0) {
      items.push(cur.trim())
      cur = ""
    } else cur += ch
  }
  if (cur.trim() !== "") items.push(cur.trim())
  return items
}

/** Resolves an address-group expression against the groups in the YAML. */
export const resolveAddressGroup = (
  expr: string,
  groups: Record<string, unknown>
): { cidrs: Array<Cidr>; warnings: Array<string> } => {
  const cidrs: Array<Cidr> = []
  const warnings: Array<string> = []
  const visit = (e: string, seen: ReadonlyArray<string>): void => {
    for (const item of splitGroup(e)) {
      if (item === "" || item.startsWith("!")) continue
      if (item.startsWith("[")) {
        if (!item.endsWith("]")) warnings.push(`address group ${JSON.stringify(item)} has an unclosed [`)
        visit(item, seen)
      }
      else if (item.startsWith("$")) {
        const name = item.slice(1)
        const value = groups[name]
        if (seen.includes(name)) warnings.push(`address group $${name} refers to itself`)
        else if (typeof value !== "string") warnings.push(`address group $${name} is not defined`)
        else visit(value, [...seen, name])
      } else if (item.toLowerCase() === "any") {
        warnings.push("HOME_NET includes `any`: every address is treated as local")
        for (const c of EVERYTHING) cidrs.push(parseCidr(c)!)
      } else {
        const c = parseCidr(item)
        if (c === undefined) warnings.push(`HOME_NET entry ${JSON.stringify(item)} is not a network; ignored`)
        else cidrs.push(c)
      }
    }
  }
  visit(expr, ["HOME_NET"])
  return { cidrs, warnings }
}

export const homeNetFromYaml = (text: string): HomeNet => {
  let doc: unknown
  // A syntax error is reported, and whatever parsed around it is still used when it holds HOME_NET.
  let invalid: string | undefined
  try {
    const parsed = parseDocument(text, { strict: false, uniqueKeys: false })
    if (parsed.errors.length > 0) invalid = `suricata.yaml is not valid YAML (${parsed.errors[0]!.message.split("\n")[0]})`
    doc = parsed.toJS()
  } catch (e) {
    return { cidrs: [], warnings: [invalid ?? `suricata.yaml is not valid YAML (${(e as Error).message.split("\n")[0]})`] }
  }
  const vars = (doc as { vars?: { "address-groups"?: Record<string, unknown> } } | null)?.vars
  const groups = typeof vars === "object" && vars !== null ? vars["address-groups"] : undefined
  const home = typeof groups === "object" && groups !== null ? groups.HOME_NET : undefined
  if (groups === undefined || typeof home !== "string") {
    return { cidrs: [], warnings: [invalid ?? "suricata.yaml has no vars.address-groups.HOME_NET"] }
  }
  const r = resolveAddressGroup(home, groups as Record<string, unknown>)
  return invalid === undefined ? r : { cidrs: r.cidrs, warnings: [invalid, ...r.warnings] }
}

/** `--home-net 10.0.0.0/8,fd00::/8` replaces HOME_NET (same syntax as the YAML value). */
export const homeNetFromFlag = (value: string): HomeNet => resolveAddressGroup(value, {})
