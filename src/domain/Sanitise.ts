/**
 * The sanitiser: from one parsed eve record to the event that may leave the machine (SPEC section 3).
 * Allow-lists only; every address field is masked when local and dropped when it is not an address; every
 * kept string is scrubbed of local addresses written inside it. Hand-written rather than a Schema decode
 * because it runs on every alert (see BENCHMARKS.md); `SanitisedEvent` describes its output.
 */
import type { SanitisedEvent } from "./EveRecord.js"
import { formatIp, type Ip, ipFromParts, isMasked, maskLocal, octalIPv4, parseIp, parseIPv6Parts } from "./Ip.js"
import type { NetworkSet } from "./Network.js"
import { scrubText } from "./Scrub.js"
import { isTimestampText } from "./Timestamp.js"

/** What `--explain` shows: key paths dropped, values masked (the original stays on this machine). */
export interface Explanation {
  readonly dropped: Array<string>
  readonly masked: Array<{ readonly path: string; readonly from: string; readonly to: string; readonly rule?: string }>
  readonly invalidAddresses: Array<{ readonly path: string; readonly value: string }>
}

export interface SanitiseResult {
  readonly event: SanitisedEvent
  /** Address-field values that were not IP addresses (dropped, never sent). */
  readonly droppedAddresses: number
}

export type Sanitiser = (record: unknown, explain?: Explanation) => SanitiseResult

export const emptyExplanation = (): Explanation => ({ dropped: [], masked: [], invalidAddresses: [] })

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v)
const isInt = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v)
const isPort = (v: unknown): v is number => isInt(v) && v >= 0 && v <= 65535

/** What one call of the sanitiser accumulates; handlers are built once and get this passed in. */
interface Run {
  droppedAddresses: number
  explain: Explanation | undefined
}
type Handler = (run: Run, parent: string, key: string, v: unknown) => unknown
/** A key path for `--explain`, built only when someone reads it. */
const at = (parent: string, key: string) => (parent === "" ? key : `${parent}.${key}`)

/**
 * Builds a sanitiser for one set of local networks. The handler tables are built here, once: a call
 * allocates little more than its output (this runs on every alert; see BENCHMARKS.md). IPv6 results are
 * memoised (their parse is the costly one); IPv4 parses faster than a cache lookup.
 */
export const makeSanitiser = (local: NetworkSet): Sanitiser => {
  const isLocal = (ip: Ip) => local.contains(ip)
  const v6Cache = new Map<string, string | null>()
  // Colon and dash text (certificate fingerprints, dates, ja3 strings) costs the most to scan and repeats across
  // alerts: memoised, small on purpose like the IPv6 cache below.
  const textCache = new Map<string, string>()
  const text = (s: string): string => {
    if (s.indexOf(":") < 0 && s.indexOf("-") < 0) return scrubText(s, isLocal)
    const hit = textCache.get(s)
    if (hit !== undefined) return hit
    const r = scrubText(s, isLocal)
    if (textCache.size >= 1024) textCache.clear()
    textCache.set(s, r)
    return r
  }
  /** A non-local IPv6 address whose spelling holds a local one: its canonical form, or its mask when that holds one too. */
  const canonicalOrMask = (ip: Ip): string => {
    const c = formatIp(ip.kind === "v6" ? ipFromParts(ip.parts) : ip)
    return text(c) === c ? c : maskLocal(ip, isLocal)
  }
  /** The value to send for an address, or null when it is not an address. */
  const address = (s: string): string | null => {
    const v6 = s.indexOf(":") >= 0
    if (v6) {
      const hit = v6Cache.get(s)
      if (hit !== undefined) return hit
    }
    let r: string | null
    // A mask passes as it is, unless its two visible groups are a whole local IPv4 address.
    if (isMasked(s)) r = text(s)
    else {
      // IPv6 is judged on all its bits: an IPv4-mapped address is local by its IPv4 address or as IPv6.
      const parts = v6 ? parseIPv6Parts(s) : undefined
      const ip: Ip | undefined = parts !== undefined ? { kind: "v6", parts } : v6 ? undefined : parseIp(s)
      // A non-local address is sent as written, unless its spelling embeds a local address
      // (`2001:db8::10.0.0.1`, or `::ffff` read alone from `::ffff:5d0e:c045`): then it is sent in its
      // canonical form, or masked when that still holds one (`64:ff9b:1::aff:fff6:0` holds a NAT64 address).
      // A dotted quad with leading zeros is also read as inet_aton does (`012.0.0.1` is 10.0.0.1).
      const octal = ip?.kind === "v4" ? octalIPv4(s) : undefined
      const judged: Ip | undefined =
        octal !== undefined && !isLocal(ip!) && isLocal({ kind: "v4", n: octal }) ? { kind: "v4", n: octal } : ip
      r = judged === undefined ? null : isLocal(judged) ? maskLocal(judged, isLocal) : v6 && text(s) !== s ? canonicalOrMask(judged) : s
    }
    if (v6) {
      // Small on purpose: a large cache of one-off addresses is garbage the GC finds late (peak RSS).
      if (v6Cache.size >= 1024) v6Cache.clear()
      v6Cache.set(s, r)
    }
    return r
  }

  /** For `--explain`: which rule made an address field local (the network and where it was defined). */
  const ruleFor = (s: string): string => {
    const parts = s.indexOf(":") >= 0 ? parseIPv6Parts(s) : undefined
    const ip: Ip | undefined = parts !== undefined ? { kind: "v6", parts } : parseIp(s)
    const octal = ip?.kind === "v4" ? octalIPv4(s) : undefined
    const why = ip === undefined ? undefined : local.explain?.(ip)
    if (why !== undefined) return why
    const viaOctal = octal === undefined ? undefined : local.explain?.({ kind: "v4", n: octal })
    if (viaOctal !== undefined) return `octal reading ${formatIp({ kind: "v4", n: octal! })}: ${viaOctal}`
    return isMasked(s) ? "a mask showing a whole local IPv4 address" : "scrubbed: a local address written inside"
  }
  const drop = (run: Run, parent: string, key: string): undefined => {
    run.explain?.dropped.push(at(parent, key))
    return undefined
  }
  const addressField: Handler = (run, parent, key, v) => {
    if (typeof v !== "string") {
      run.droppedAddresses++
      run.explain?.invalidAddresses.push({ path: at(parent, key), value: JSON.stringify(v) ?? String(v) })
      return undefined
    }
    const r = address(v)
    if (r === null) {
      run.droppedAddresses++
      run.explain?.invalidAddresses.push({ path: at(parent, key), value: v })
      return undefined
    }
    if (r !== v && run.explain !== undefined) run.explain.masked.push({ path: at(parent, key), from: v, to: r, rule: ruleFor(v) })
    return r
  }
  const textField: Handler = (run, parent, key, v) => {
    if (typeof v !== "string") return drop(run, parent, key)
    const r = text(v)
    if (r !== v) run.explain?.masked.push({ path: at(parent, key), from: v, to: r, rule: "scrubbed text: a local address written inside" })
    return r
  }
  const intField: Handler = (run, parent, key, v) => (isInt(v) ? v : drop(run, parent, key))
  const portField: Handler = (run, parent, key, v) => (isPort(v) ? v : drop(run, parent, key))

  /** Copies allowed keys through their handlers; every other key is dropped. */
  const pick = (run: Run, path: string, src: unknown, handlers: ReadonlyMap<string, Handler>): Obj | undefined => {
    if (!isObj(src)) return undefined
    const out: Obj = {}
    for (const k in src) {
      // A Map: `constructor`, `toString` or `__proto__` in a record must not find Object.prototype.
      const h = handlers.get(k)
      if (h === undefined) {
        drop(run, path, k)
        continue
      }
      const v = h(run, path, k, src[k])
      if (v !== undefined) out[k] = v
    }
    return out
  }
  const nested = (handlers: Record<string, Handler>): Handler => {
    const table = new Map(Object.entries(handlers))
    return (run, parent, key, v) => {
      const path = run.explain === undefined ? "" : at(parent, key)
      return pick(run, path, v, table) ?? drop(run, parent, key)
    }
  }
  const endpoint = nested({ ip: addressField, port: portField })
  const ja3 = nested({ hash: textField, string: textField })
  const hostname: Handler = (run, parent, key, v) =>
    // A hostname that is an IP literal is an address field; anything else is text.
    typeof v === "string" && parseIp(v) !== undefined ? addressField(run, parent, key, v) : textField(run, parent, key, v)

  const top = new Map<string, Handler>(Object.entries({
    // A well-formed timestamp holds no address (no four dotted groups, no parseable colon run): skip the scrub.
    timestamp: (run, parent, key, v) =>
      typeof v === "string" && isTimestampText(v) ? v : textField(run, parent, key, v),
    flow_id: (run, parent, key, v) =>
      (isInt(v) && v >= 0) || (typeof v === "bigint" && v >= 0n) ? v : drop(run, parent, key),
    in_iface: textField,
    event_type: textField,
    vlan: (run, parent, key, v) => (Array.isArray(v) && v.every(isInt) ? v : drop(run, parent, key)),
    src_ip: addressField,
    src_port: portField,
    dest_ip: addressField,
    dest_port: portField,
    proto: textField,
    app_proto: textField,
    alert: nested({ action: textField, signature_id: intField, rev: intField, source: endpoint, target: endpoint }),
    http: nested({
      hostname,
      http_port: portField,
      http_method: textField,
      protocol: textField,
      status: intField,
      length: intField,
      http_content_type: textField
    }),
    tls: nested({
      subject: textField,
      issuerdn: textField,
      serial: textField,
      fingerprint: textField,
      sni: textField,
      version: textField,
      notbefore: textField,
      notafter: textField,
      ja3,
      ja3s: ja3
    })
  } satisfies Record<string, Handler>))

  return (record, explain) => {
    const run: Run = { droppedAddresses: 0, explain }
    const event = pick(run, "", record, top)
    return { event: (event ?? {}) as SanitisedEvent, droppedAddresses: run.droppedAddresses }
  }
}

/**
 * Parses one eve line, keeping a 64-bit `flow_id` exact: JSON numbers above 2^53 lose digits in JS, so the
 * digits are taken from the text when the parsed number is not a safe integer.
 */
export const parseEveLine = (line: string): unknown => {
  const rec: unknown = JSON.parse(line)
  if (isObj(rec) && typeof rec.flow_id === "number" && !Number.isSafeInteger(rec.flow_id)) {
    const digits = onlyFlowIdDigits(line) ?? topLevelFlowIdDigits(line)
    // Only the top-level key counts: a nested `flow_id` is dropped, never sent in its place.
    if (digits !== undefined && Number(digits) === rec.flow_id) rec.flow_id = BigInt(digits)
  }
  return rec
}

const FLOW_ID_VALUE = /^\s*:\s*(\d{1,20})(?=[\s,}])/

/**
 * For a line known to have a top-level `flow_id`: its digits when `"flow_id"` occurs once and no `\u` escape
 * could spell another key as `flow_id` (the usual line), without walking the whole line; else undefined.
 */
const onlyFlowIdDigits = (line: string): string | undefined => {
  const first = line.indexOf('"flow_id"')
  if (first < 0 || line.indexOf('"flow_id"', first + 9) >= 0 || line.indexOf("\\u") >= 0) return undefined
  return FLOW_ID_VALUE.exec(line.slice(first + 9, first + 48))?.[1]
}

/**
 * The digits of the top-level `flow_id` of a JSON object text: the last occurrence at depth 1 (JSON.parse
 * keeps the last of duplicate keys). One pass over the text, skipping strings.
 */
export const topLevelFlowIdDigits = (line: string): string | undefined => {
  let depth = 0
  let found: string | undefined
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i)
    if (c === 34) {
      const start = i
      for (i++; i < line.length && line.charCodeAt(i) !== 34; i++) if (line.charCodeAt(i) === 92) i++
      if (depth === 1 && line.startsWith('"flow_id"', start) && i === start + 8) {
        const m = FLOW_ID_VALUE.exec(line.slice(i + 1, i + 40))
        if (m !== null) found = m[1]
      }
    } else if (c === 123 || c === 91) depth++
    else if (c === 125 || c === 93) depth--
  }
  return found
}

/** The JSON body for one event: bigints (64-bit flow ids) are written as plain JSON numbers. */
export const eventToJson = (event: SanitisedEvent): string => {
  if (typeof event.flow_id !== "bigint") return JSON.stringify(event)
  // The digits go in as a string and come out as a number. `"flow_id":"` can only be the top-level key:
  // inside a string value its quotes would be escaped, and no other level has a flow_id.
  const bigint = event.flow_id
  const digits = bigint.toString()
  // Swapped in place rather than copied: this runs for most real events (Suricata flow ids pass 2^53).
  const e = event as { flow_id?: unknown }
  e.flow_id = digits
  const json = JSON.stringify(event)
  e.flow_id = bigint
  return json.replace(`"flow_id":"${digits}"`, `"flow_id":${digits}`)
}
