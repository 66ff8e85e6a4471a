/**
 * HOME_NET as Suricata resolves it (SPEC section 3, corrected by issue 25): the configuration tree Suricata's
 * loader would build from suricata.yaml and its includes (./SuricataYaml.ts), then
 * `vars.address-groups.HOME_NET` resolved with Suricata's address-group semantics (./AddressGroup.ts).
 *
 * Fail closed: anything that cannot be fully understood (a YAML error or a tag not understood, an include
 * that is absent, unreadable or loops, a HOME_NET Suricata would refuse) makes every address local for the
 * run, with one message saying why.
 */
import { type AddressSet, isWholeV4, isWholeV6, rangeBlocks, resolveGroup } from "./AddressGroup.js"
import { parseIPv6Parts } from "./Ip.js"
import { type Cidr, parseCidr } from "./Network.js"
import { type ConfigLoad, getNode } from "./SuricataYaml.js"

export interface HomeNet {
  readonly cidrs: ReadonlyArray<Cidr>
  readonly warnings: ReadonlyArray<string>
  /** Why HOME_NET could not be understood; then `cidrs` is every address. */
  readonly failure?: string | undefined
}

const everything = (): Array<Cidr> => ["0.0.0.0/0", "::/0"].map((c) => parseCidr(c)!)

const failClosed = (failure: string, warnings: ReadonlyArray<string> = []): HomeNet => ({ cidrs: everything(), warnings, failure })

const v6Parts = (n: bigint) => Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(112 - 16 * i)) & 0xffffn))

const MAPPED_LO = 0xffffn << 32n
const MAPPED_HI = MAPPED_LO | 0xffffffffn

/**
 * The CIDRs of a resolved set. The sanitiser reads `::ffff:a.b.c.d` as the IPv4 address, so an IPv6 range
 * written within ::ffff:0:0/96 is also given as IPv4. A wider IPv6 range (every IPv6 address but a few, from a
 * group that only negates IPv6) is not: that would make every IPv4 address local.
 */
export const cidrsOf = (set: AddressSet, origin: string | undefined): Array<Cidr> => {
  const out: Array<Cidr> = []
  const v4 = (lo: bigint, hi: bigint) => {
    for (const [base, prefix] of rangeBlocks(lo, hi, 32)) out.push({ ip: { kind: "v4", n: Number(base) }, prefix, origin })
  }
  for (const [lo, hi] of set.v4) v4(lo, hi)
  for (const [lo, hi] of set.v6) {
    for (const [base, prefix] of rangeBlocks(lo, hi, 128)) out.push({ ip: { kind: "v6", parts: v6Parts(base) }, prefix, origin })
    if (lo >= MAPPED_LO && hi <= MAPPED_HI) v4(lo & 0xffffffffn, hi & 0xffffffffn)
  }
  return out
}

const warningsOf = (set: AddressSet): Array<string> =>
  isWholeV4(set) && isWholeV6(set)
    ? ["HOME_NET holds every address (as `any` does): every address is treated as local"]
    : isWholeV4(set)
    ? ["HOME_NET holds every IPv4 address: every IPv4 address is treated as local"]
    : isWholeV6(set)
    ? ["HOME_NET holds every IPv6 address: every IPv6 address is treated as local"]
    : []

/** HOME_NET from suricata.yaml as loaded; `absent` is the caller's to handle (no suricata.yaml at all). */
export const homeNetFromConfig = (load: Exclude<ConfigLoad, { _tag: "absent" } | { _tag: "need" }>): HomeNet => {
  if (load._tag === "failed") return failClosed(load.reason)
  const groups = getNode(load.root, "vars.address-groups")
  const home = groups === undefined ? undefined : getNode(groups, "HOME_NET")
  if (home === undefined) return failClosed("no vars.address-groups.HOME_NET")
  if (home.val === undefined) return failClosed("HOME_NET has no value (a list or mapping instead of a quoted string?)")
  const r = resolveGroup(home.val, {
    // SCRuleVarsGetConfVar: `vars.address-groups.NAME`, its value when it has one.
    variable: (name) => getNode(load.root, `vars.address-groups.${name}`)?.val,
    parseV6: parseIPv6Parts
  })
  if ("error" in r) return failClosed(`HOME_NET: ${r.error}`)
  return { cidrs: cidrsOf(r.set, `HOME_NET in ${home.origin}`), warnings: warningsOf(r.set) }
}

/** `--home-net 10.0.0.0/8,fd00::/8` replaces HOME_NET (same syntax as the YAML value); `failure` is a usage error. */
export const homeNetFromFlag = (value: string): HomeNet => {
  const r = resolveGroup(value, { variable: () => undefined, parseV6: parseIPv6Parts })
  return "error" in r
    ? { cidrs: [], warnings: [], failure: r.error }
    : { cidrs: cidrsOf(r.set, "--home-net"), warnings: warningsOf(r.set) }
}
