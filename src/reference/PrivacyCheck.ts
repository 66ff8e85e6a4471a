/**
 * The service's side of the privacy invariant (SPEC section 3): every received event is checked for keys
 * outside the allow-lists (a strict decode of SanitisedEvent) and for unmasked private-range or link-local
 * addresses written anywhere in it, in any textual form (as a resolver reads it too), embedded IPv4 included,
 * for a masked IPv6 address whose visible groups are a whole private IPv4 address, and for names under a
 * special-use suffix (or a single-label host name) that are not masked (SiteNameCheck.ts). The service only observes: a violating event
 * is still stored, and the violations are counted and listed (the agent is what must not leak).
 *
 * Pure. The address reading is AddressSpellings', which shares nothing with the sanitiser's (src/domain/Ip,
 * Scrub, Network): the check would otherwise agree with the sanitiser's mistakes. Only the always-private
 * ranges count (the service cannot know a sensor's HOME_NET).
 */
import { Either, ParseResult, Schema } from "effect"
import { SanitisedEvent } from "../domain/EveRecord.js"
import type { ViolationInput } from "./SqliteStore.js"
import { carriedIPv4, maskedIPv6In, type Reading, resolverSpellingsIn, spellingsIn } from "./AddressSpellings.js"
import { internalNamesIn } from "./SiteNameCheck.js"

/** SPEC section 3's always-private ranges, written here as numbers (not read from src/domain). */
const V4: ReadonlyArray<readonly [string, number, number]> = [
  ["10.0.0.0/8", 0x0a000000, 8],
  ["172.16.0.0/12", 0xac100000, 12],
  ["192.168.0.0/16", 0xc0a80000, 16],
  ["100.64.0.0/10", 0x64400000, 10],
  ["127.0.0.0/8", 0x7f000000, 8],
  ["169.254.0.0/16", 0xa9fe0000, 16]
]
const V6: ReadonlyArray<readonly [string, bigint, number]> = [
  ["fc00::/7", 0xfcn << 120n, 7],
  ["fe80::/10", 0xfe80n << 112n, 10],
  ["::1/128", 1n, 128]
]

const v4Range = (n: number): string | undefined =>
  V4.find(([, base, p]) => Math.floor(n / 2 ** (32 - p)) === Math.floor(base / 2 ** (32 - p)))?.[0]

/** The private range a reading falls in (an IPv6 address also by the IPv4 it carries), or undefined. */
export const privateRange = (r: Reading): string | undefined => {
  if (r.v === 4) return v4Range(r.n)
  const v6 = V6.find(([, base, p]) => r.value >> BigInt(128 - p) === base >> BigInt(128 - p))?.[0]
  if (v6 !== undefined) return v6
  for (const n of carriedIPv4(r.value)) {
    const inner = v4Range(n)
    if (inner !== undefined) return `${inner}, carried in IPv6`
  }
  return undefined
}

export interface Found {
  readonly text: string
  readonly range: string
  /** Last octet or last group only: the violation list must not repeat the address. */
  readonly shown: string
}

const shownOf = (r: Reading): string =>
  r.v === 4 ? `xxx.xxx.xxx.${r.n & 255}` : `xxxx:xxxx:${(r.value & 0xffffn).toString(16).padStart(4, "0")}`

/** The private addresses written in a text (and masks that show a whole private IPv4). */
export const privateAddressesIn = (text: string): Array<Found> => {
  const out: Array<Found> = []
  // One violation per leaked address: `::ffff:192.168.1.7` also holds the dotted quad, `fe80::1` holds `::1`.
  const flagged: Array<readonly [number, number]> = []
  const within = (from: number, to: number) => flagged.some(([a, b]) => a <= from && to <= b)
  const spellings = spellingsIn(text).sort((a, b) => a.index - b.index || b.text.length - a.text.length)
  // The text as a resolver reads it (issue 25): judged apart, its indexes are into that form.
  const resolved = resolverSpellingsIn(text).filter((r) => !spellings.some((s) => s.text === r.text))
  for (const s of [...spellings, ...resolved.map((r) => ({ ...r, index: -1 - r.index }))]) {
    if (within(s.index, s.index + s.text.length)) continue
    for (const r of s.readings) {
      const range = privateRange(r)
      if (range === undefined) continue
      flagged.push([s.index, s.index + s.text.length])
      out.push({ text: s.text, range, shown: shownOf(r) })
      break
    }
  }
  for (const m of maskedIPv6In(text)) {
    const range = v4Range(m.low32)
    if (range !== undefined) out.push({ text: m.text, range: `${range}, shown whole by an IPv6 mask`, shown: `xxx.xxx.xxx.${m.low32 & 255}` })
  }
  return out
}

const decodeStrict = Schema.decodeUnknownEither(SanitisedEvent, { onExcessProperty: "error", errors: "all" })

/**
 * JSON cannot carry a 64-bit flow id exactly as a JS number: the agent writes it as plain digits, so the
 * check reads it as such (SanitisedEvent takes big flow ids as BigInt, decoded from their digits).
 */
const withExactFlowId = (event: Record<string, unknown>, raw: string): Record<string, unknown> => {
  const f = event.flow_id
  if (typeof f !== "number" || Number.isSafeInteger(f)) return event
  const m = /"flow_id"\s*:\s*(\d{1,20})[\s,}]/.exec(raw)
  return m === null ? event : { ...event, flow_id: m[1] }
}

const pathText = (path: ReadonlyArray<PropertyKey>) => path.map(String).join(".") || "(event)"

/** Every violation in one received event (a parsed JSON object; `raw` is its text). */
export const checkEvent = (event: Record<string, unknown>, raw: string): Array<ViolationInput> => {
  const out: Array<ViolationInput> = []
  const decoded = decodeStrict(withExactFlowId(event, raw))
  if (Either.isLeft(decoded)) {
    for (const issue of ParseResult.ArrayFormatter.formatErrorSync(decoded.left)) {
      const unexpected = issue._tag === "Unexpected"
      out.push({
        kind: unexpected ? "key" : "shape",
        path: pathText(issue.path),
        detail: unexpected ? "key outside the allow-lists" : issue.message.split("\n")[0]!
      })
    }
  }
  const scan = (v: unknown, path: ReadonlyArray<string>): void => {
    if (typeof v === "string") {
      for (const f of privateAddressesIn(v)) {
        out.push({ kind: "address", path: pathText(path), detail: `unmasked address in ${f.range} (shown masked here: ${f.shown})` })
      }
      const hostField = path.length === 2 && ((path[0] === "http" && path[1] === "hostname") || (path[0] === "tls" && path[1] === "sni"))
      for (const n of internalNamesIn(v, { hostField })) {
        out.push({ kind: "name", path: pathText(path), detail: `internal name ${n.why}, not masked` })
      }
    } else if (Array.isArray(v)) v.forEach((x, i) => scan(x, [...path, String(i)]))
    else if (typeof v === "object" && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        scan(k, [...path, "(key)"])
        scan(x, [...path, k])
      }
    }
  }
  scan(event, [])
  return out
}
