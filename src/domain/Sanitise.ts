/**
 * The sanitiser: from one parsed eve record to the event that may leave the machine (SPEC section 3).
 * Allow-lists only; every address field is masked when local and dropped when it is not an address; every
 * kept string is scrubbed of local addresses written inside it. Hand-written rather than a Schema decode
 * because it runs on every alert (see BENCHMARKS.md); `SanitisedEvent` describes its output.
 */
import type { SanitisedEvent } from "./EveRecord.js"
import { formatIp, type Ip, isMasked, maskIp, parseIp } from "./Ip.js"
import type { NetworkSet } from "./Network.js"
import { scrubText } from "./Scrub.js"

/** What `--explain` shows: key paths dropped, values masked (the original stays on this machine). */
export interface Explanation {
  readonly dropped: Array<string>
  readonly masked: Array<{ readonly path: string; readonly from: string; readonly to: string }>
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

/**
 * Builds a sanitiser for one set of local networks. Results for an address string are memoised: eve logs
 * repeat the same few addresses.
 */
export const makeSanitiser = (local: NetworkSet): Sanitiser => {
  const isLocal = (ip: Ip) => local.contains(ip)
  const cache = new Map<string, string | null>()
  const text = (s: string) => scrubText(s, isLocal)
  /** The value to send for an address, or null when it is not an address. */
  const address = (s: string): string | null => {
    let r = cache.get(s)
    if (r !== undefined) return r
    if (isMasked(s)) r = s
    else {
      const ip = parseIp(s)
      // A non-local address is sent as written, unless its spelling embeds a local address
      // (`64:ff9b::10.0.0.1`): then it is sent in its canonical form.
      r = ip === undefined ? null : isLocal(ip) ? maskIp(ip) : text(s) === s ? s : formatIp(ip)
    }
    if (cache.size > 50_000) cache.clear()
    cache.set(s, r)
    return r
  }

  return (record, explain) => {
    let droppedAddresses = 0
    const drop = (path: string) => explain?.dropped.push(path)
    const addressField = (path: string, v: unknown): string | undefined => {
      if (typeof v !== "string") {
        droppedAddresses++
        explain?.invalidAddresses.push({ path, value: JSON.stringify(v) ?? String(v) })
        return undefined
      }
      const r = address(v)
      if (r === null) {
        droppedAddresses++
        explain?.invalidAddresses.push({ path, value: v })
        return undefined
      }
      if (r !== v) explain?.masked.push({ path, from: v, to: r })
      return r
    }
    const textField = (path: string, v: unknown): string | undefined => {
      if (typeof v !== "string") {
        drop(path)
        return undefined
      }
      const r = text(v)
      if (r !== v) explain?.masked.push({ path, from: v, to: r })
      return r
    }
    const intField = (path: string, v: unknown, ok: (v: unknown) => v is number = isInt) => {
      if (ok(v)) return v
      drop(path)
      return undefined
    }
    /** Copies allowed keys through their handlers; every other key is dropped. */
    const pick = (path: string, src: unknown, handlers: Record<string, (p: string, v: unknown) => unknown>) => {
      if (!isObj(src)) {
        drop(path)
        return undefined
      }
      const out: Obj = {}
      for (const k in src) {
        // Own keys only: `constructor`, `toString` or `__proto__` in a record must not find Object.prototype.
        const h = Object.prototype.hasOwnProperty.call(handlers, k) ? handlers[k] : undefined
        const p = path === "" ? k : `${path}.${k}`
        if (h === undefined) {
          drop(p)
          continue
        }
        const v = h(p, src[k])
        if (v !== undefined) out[k] = v
      }
      return out
    }
    const endpoint = (p: string, v: unknown) =>
      pick(p, v, { ip: addressField, port: (q, x) => intField(q, x, isPort) })
    const ja3 = (p: string, v: unknown) => pick(p, v, { hash: textField, string: textField })
    const hostname = (p: string, v: unknown) => {
      if (typeof v !== "string") return textField(p, v)
      // A hostname that is an IP literal is an address field; anything else is text.
      return parseIp(v) !== undefined ? addressField(p, v) : textField(p, v)
    }

    const event = pick("", record, {
      timestamp: textField,
      flow_id: (p, v) => {
        if ((isInt(v) && v >= 0) || (typeof v === "bigint" && v >= 0n)) return v
        drop(p)
        return undefined
      },
      in_iface: textField,
      event_type: textField,
      vlan: (p, v) => {
        if (Array.isArray(v) && v.every(isInt)) return v
        drop(p)
        return undefined
      },
      src_ip: addressField,
      src_port: (p, v) => intField(p, v, isPort),
      dest_ip: addressField,
      dest_port: (p, v) => intField(p, v, isPort),
      proto: textField,
      app_proto: textField,
      alert: (p, v) =>
        pick(p, v, { action: textField, signature_id: intField, rev: intField, source: endpoint, target: endpoint }),
      http: (p, v) =>
        pick(p, v, {
          hostname,
          http_port: (q, x) => intField(q, x, isPort),
          http_method: textField,
          protocol: textField,
          status: intField,
          length: intField,
          http_content_type: textField
        }),
      tls: (p, v) =>
        pick(p, v, {
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
    })
    return { event: (event ?? {}) as SanitisedEvent, droppedAddresses }
  }
}

/**
 * Parses one eve line, keeping a 64-bit `flow_id` exact: JSON numbers above 2^53 lose digits in JS, so the
 * digits are taken from the text when the parsed number is not a safe integer.
 */
export const parseEveLine = (line: string): unknown => {
  const rec: unknown = JSON.parse(line)
  if (isObj(rec) && typeof rec.flow_id === "number" && !Number.isSafeInteger(rec.flow_id)) {
    // A nested `flow_id` may come first: take the first occurrence whose value is the parsed one.
    for (const m of line.matchAll(/"flow_id"\s*:\s*(\d{1,20})[\s,}]/g)) {
      if (Number(m[1]) === rec.flow_id) {
        rec.flow_id = BigInt(m[1]!)
        break
      }
    }
  }
  return rec
}

/** The JSON body for one event: bigints (64-bit flow ids) are written as plain JSON numbers. */
export const eventToJson = (event: SanitisedEvent): string => {
  if (typeof event.flow_id !== "bigint") return JSON.stringify(event)
  // The digits go in as a string and come out as a number. `"flow_id":"` can only be the top-level key:
  // inside a string value its quotes would be escaped, and no other level has a flow_id.
  const digits = event.flow_id.toString()
  return JSON.stringify({ ...event, flow_id: digits }).replace(`"flow_id":"${digits}"`, `"flow_id":${digits}`)
}
