/**
 * The sanitiser: from one parsed eve record to the event that may leave the machine (SPEC section 3).
 * Allow-lists only; every address field is masked when local and dropped when it is not an address; every
 * kept string is scrubbed of local addresses written inside it. Hand-written rather than a Schema decode
 * because it runs on every alert (see BENCHMARKS.md); `SanitisedEvent` describes its output.
 */
import type { SanitisedEvent } from "./EveRecord.js"
import { formatIp, type Ip, ipFromParts, isMasked, maskLocal, octalIPv4, parseIp, parseIPv6Parts, plainIPv4 } from "./Ip.js"
import type { NetworkSet } from "./Network.js"
import { scrubText } from "./Scrub.js"
import { flowServer, type FlowServer } from "./FlowServer.js"
import { maskServerName, maskSiteNames, type NamePolicy, NO_SITE_DOMAINS } from "./SiteNames.js"
import { isJa3sString, isJa3String, isJa4, isMd5Hex } from "./TlsFingerprint.js"
import { COLON, NOTHING, PLAIN, textKind } from "./TextKind.js"
import { isTimestampText } from "./Timestamp.js"

export { eventToJson, parseEveLine, topLevelFlowIdDigits } from "./EveJson.js"

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
  /** The flow's server when it is local (its names and certificate are not sent), else undefined. */
  localServer: FlowServer | undefined
}
/** A text's name reading (SiteNames.ts), and its mask as a local server's name once asked for. */
interface NameReading { readonly text: string; readonly rule: string | undefined; server?: string }
type Handler = (run: Run, parent: string, key: string, v: unknown) => unknown
/** A key path for `--explain`, built only when someone reads it. */
const at = (parent: string, key: string) => (parent === "" ? key : `${parent}.${key}`)

/**
 * Builds a sanitiser for one set of local networks. The handler tables are built here, once: a call
 * allocates little more than its output (this runs on every alert; see BENCHMARKS.md). IPv6 results are
 * memoised (their parse is the costly one); IPv4 parses faster than a cache lookup.
 */
export const makeSanitiser = (local: NetworkSet, names: NamePolicy = NO_SITE_DOMAINS): Sanitiser => {
  const isLocal = (ip: Ip) => local.contains(ip)
  const v6Cache = new Map<string, string | null>()
  // Colon and dash text (certificate fingerprints, dates, ja3 strings) costs the most to scan and repeats across
  // alerts: memoised, small on purpose like the IPv6 cache below.
  const textCache = new Map<string, string>()
  // Dotted or digit text (host names, versions, subjects) repeats too, and costs a token scan: a cache of its own,
  // so it does not push the colon text out of the first.
  const dottedCache = new Map<string, string>()
  const text = (s: string): string => {
    const kind = textKind(s)
    if (kind === NOTHING) return s
    // Text with no separator and no digit holds no reading but a hex label or a resolver's (rare): no cache.
    if (kind === PLAIN) return scrubText(s, isLocal)
    const cache = kind === COLON ? textCache : dottedCache
    const hit = cache.get(s)
    if (hit !== undefined) return hit
    const r = scrubText(s, isLocal)
    if (cache.size >= 1024) cache.clear()
    cache.set(s, r)
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
    // The usual IPv4 field (no leading zero: one reading, never a mask): judged directly.
    const n = v6 ? undefined : plainIPv4(s)
    if (n !== undefined) return isLocal({ kind: "v4", n }) ? maskLocal({ kind: "v4", n }, isLocal) : s
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
  /** Fingerprints are not text: sent unchanged when they match their grammar, dropped otherwise. */
  // Not memoised: each grammar is one linear pass, cheaper than hashing a fresh string for a map lookup.
  const grammar = (ok: (s: string) => boolean): Handler => (run, parent, key, v) =>
    typeof v === "string" && ok(v) ? v : drop(run, parent, key)
  const ja3 = nested({ hash: grammar(isMd5Hex), string: grammar(isJa3String) })
  const ja3s = nested({ hash: grammar(isMd5Hex), string: grammar(isJa3sString) })
  const serverRule = (s: FlowServer) => `the flow's server (${s.side}, by ${s.why}) is local`
  /** A name or identity of the server's certificate: dropped when the server is local. */
  const certificate = (inner: Handler): Handler => (run, parent, key, v) => {
    if (run.localServer === undefined) return inner(run, parent, key, v)
    run.explain?.dropped.push(`${at(parent, key)} (${serverRule(run.localServer)})`)
    return undefined
  }
  /** Text that may hold names (a certificate's subject or issuer, a host name): internal names masked too. */
  // Host names and certificate names repeat across alerts: their name reading is memoised, small on purpose.
  const hostNames = new Map<string, NameReading>()
  const dnNames = new Map<string, NameReading>()
  const named = (hostField: boolean): Handler => (run, parent, key, v) => {
    if (typeof v !== "string") return drop(run, parent, key)
    // A host name that is an IP literal is an address field.
    if (hostField && parseIp(v) !== undefined) return addressField(run, parent, key, v)
    const scrubbed = text(v)
    const cache = hostField ? hostNames : dnNames
    let m = cache.get(scrubbed)
    if (m === undefined) {
      m = maskSiteNames(scrubbed, names, hostField)
      if (cache.size >= 1024) cache.clear()
      cache.set(scrubbed, m)
    }
    let r = m.text
    let byServer = false
    if (hostField && run.localServer !== undefined && !isMasked(r)) {
      // Memoised beside the name reading: a local server's name repeats as much as the name does.
      const hidden = (m.server ??= maskServerName(r))
      byServer = hidden !== r
      r = hidden
    }
    // The rule's words are built only for `--explain`.
    if (r !== v && run.explain !== undefined) {
      const why = m.rule === undefined ? "scrubbed text: a local address written inside" : `internal name: ${m.rule}`
      run.explain.masked.push({ path: at(parent, key), from: v, to: r, rule: byServer ? `name of a local server: ${serverRule(run.localServer!)}` : why })
    }
    return r
  }
  const hostname = named(true)
  const isLocalValue = (v: unknown): boolean => {
    if (typeof v !== "string") return false
    // The usual IPv4 field without leading zeros: judged without building its mask.
    const n = v.indexOf(":") < 0 ? plainIPv4(v) : undefined
    if (n !== undefined) return isLocal({ kind: "v4", n })
    const r = address(v)
    return r !== null && r.charCodeAt(0) === 120
  }

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
      subject: certificate(named(false)),
      issuerdn: certificate(named(false)),
      serial: certificate(textField),
      fingerprint: certificate(textField),
      sni: hostname,
      version: textField,
      notbefore: textField,
      notafter: textField,
      ja3,
      ja3s,
      ja4: grammar(isJa4)
    })
  } satisfies Record<string, Handler>))

  return (record, explain) => {
    let localServer: FlowServer | undefined
    if (isObj(record) && (record.tls !== undefined || record.http !== undefined)) {
      const srcLocal = isLocalValue(record.src_ip)
      const destLocal = isLocalValue(record.dest_ip)
      // With neither side local no server is local: the rules need not be asked.
      const server = srcLocal || destLocal ? flowServer(record, srcLocal, destLocal) : undefined
      if ((server?.side === "src" && srcLocal) || (server?.side === "dest" && destLocal)) localServer = server
    }
    const run: Run = { droppedAddresses: 0, explain, localServer }
    const event = pick(run, "", record, top)
    return { event: (event ?? {}) as SanitisedEvent, droppedAddresses: run.droppedAddresses }
  }
}
