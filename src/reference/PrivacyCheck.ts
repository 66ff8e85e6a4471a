/**
 * The service's side of the privacy invariant (SPEC section 3): every received event is checked for keys
 * outside the allow-lists (a strict decode of SanitisedEvent) and for unmasked private-range or link-local
 * addresses written anywhere in it, in any textual form. The service only observes: a violating event is
 * still stored, and the violations are counted and listed (the agent is what must not leak).
 *
 * Pure. The address reading is Scrub's (`ipv4Windows`, `ipv6Readings`): the same definition the sanitiser
 * masks by, applied with the always-private ranges only (the service cannot know a sensor's HOME_NET).
 */
import { Either, ParseResult, Schema } from "effect"
import { SanitisedEvent } from "../domain/EveRecord.js"
import { type Ip, maskIp, parseIPv4 } from "../domain/Ip.js"
import { ALWAYS_PRIVATE, makeNetworkSet, parseCidrs } from "../domain/Network.js"
import { ipv4Windows, ipv6Readings } from "../domain/Scrub.js"
import type { ViolationInput } from "./SqliteStore.js"

const RANGES = ALWAYS_PRIVATE.map((text) => ({ text, set: makeNetworkSet(parseCidrs([text]).cidrs) }))
const PRIVATE = makeNetworkSet(parseCidrs(ALWAYS_PRIVATE).cidrs)

// The same runs Scrub looks at (see its header).
const DOTTED_RUN = /\d+(?:\.\d+){3,}/g
const COLON_RUN = /[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*/g
/** `::` then a dotted quad, not preceded by a hex digit or another colon. */
const COMPATIBLE = /(?<![0-9A-Fa-f:])::(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})(?![\d])/g

/** The private addresses written in a text, as parsed addresses, each once. */
export const privateAddressesIn = (text: string): Array<Ip> => privateAddressReadings(text).map((r) => r.ip)

export interface Reading {
  readonly ip: Ip
  /** Found only by reading `::a.b.c.d` as IPv4-compatible (see below). */
  readonly compatible: boolean
}

export const privateAddressReadings = (text: string): Array<Reading> => {
  const found: Array<Reading> = []
  const seen = new Set<string>()
  const add = (ip: Ip, compatible = false) => {
    // `::ffff:192.168.1.7` is read both as a dotted run and as an IPv6 run: one address.
    const key = ip.kind === "v4" ? `4:${ip.n}` : `6:${ip.parts.join(":")}`
    if (!seen.has(key)) {
      seen.add(key)
      found.push({ ip, compatible })
    }
  }
  if (/\d\.\d/.test(text)) {
    for (const run of text.match(DOTTED_RUN) ?? []) {
      for (const n of ipv4Windows(run)) {
        const ip: Ip = { kind: "v4", n }
        if (PRIVATE.contains(ip)) add(ip)
      }
    }
  }
  if (text.indexOf(":") >= 0) {
    for (const run of text.match(COLON_RUN) ?? []) {
      if (run.length < 2) continue
      const ip = ipv6Readings(run).find((r) => PRIVATE.contains(r))
      if (ip !== undefined) add(ip)
      // `::a.b.c.d` is the IPv4-compatible form of ::a.b.c.d (`::0.0.0.1` is ::1), which ipaddr.js (and so
      // Ip.parseIPv6) reads as IPv4-mapped: look at the IPv6 reading too.
      for (const m of run.matchAll(COMPATIBLE)) {
        const n = parseIPv4(m[1]!)
        if (n === undefined) continue
        const v6: Ip = { kind: "v6", parts: [0, 0, 0, 0, 0, 0, Math.floor(n / 65536), n & 0xffff] }
        if (PRIVATE.contains(v6)) add(v6, true)
      }
    }
  }
  return found
}

const rangeOf = (ip: Ip): string => RANGES.find((r) => r.set.contains(ip))?.text ?? "private"

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
      for (const { ip, compatible } of privateAddressReadings(v)) {
        out.push({
          kind: "address",
          path: pathText(path),
          detail: `unmasked address in ${rangeOf(ip)}${compatible ? ", written in the IPv4-compatible form ::a.b.c.d" : ""} (shown masked here: ${maskIp(ip)})`
        })
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
