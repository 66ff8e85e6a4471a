/**
 * The shapes of an eve.json record: the lenient input (anything Suricata may write; the sanitiser decides what
 * survives) and the sanitised event, which is exactly what may leave the machine (SPEC section 3).
 */
import { Schema } from "effect"

const opt = <S extends Schema.Schema.Any>(s: S) => Schema.optionalWith(s, { exact: true })

const Endpoint = Schema.Struct({ ip: opt(Schema.String), port: opt(Schema.Int) })

/** Input: the fields the sanitiser reads, loosely typed, plus whatever else the record holds. */
export const EveRecord = Schema.Struct(
  {
    timestamp: opt(Schema.String),
    flow_id: opt(Schema.Int),
    in_iface: opt(Schema.String),
    event_type: opt(Schema.String),
    vlan: opt(Schema.Array(Schema.Int)),
    src_ip: opt(Schema.String),
    src_port: opt(Schema.Int),
    dest_ip: opt(Schema.String),
    dest_port: opt(Schema.Int),
    proto: opt(Schema.String),
    app_proto: opt(Schema.String),
    alert: opt(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
    http: opt(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
    tls: opt(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
  },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
)
export type EveRecord = typeof EveRecord.Type

const Ja3 = Schema.Struct({ hash: opt(Schema.String), string: opt(Schema.String) })

export const SanitisedAlert = Schema.Struct({
  action: opt(Schema.String),
  signature_id: opt(Schema.Int),
  rev: opt(Schema.Int),
  source: opt(Endpoint),
  target: opt(Endpoint)
})

export const SanitisedHttp = Schema.Struct({
  hostname: opt(Schema.String),
  http_port: opt(Schema.Int),
  http_method: opt(Schema.String),
  protocol: opt(Schema.String),
  status: opt(Schema.Int),
  length: opt(Schema.Int),
  http_content_type: opt(Schema.String)
})

export const SanitisedTls = Schema.Struct({
  subject: opt(Schema.String),
  issuerdn: opt(Schema.String),
  serial: opt(Schema.String),
  fingerprint: opt(Schema.String),
  sni: opt(Schema.String),
  version: opt(Schema.String),
  notbefore: opt(Schema.String),
  notafter: opt(Schema.String),
  ja3: opt(Ja3),
  ja3s: opt(Ja3),
  ja4: opt(Schema.String)
})

/** What `send-events` POSTs. Decoding with `onExcessProperty: "error"` rejects any key outside the allow-lists. */
export const SanitisedEvent = Schema.Struct({
  timestamp: opt(Schema.String),
  // Suricata flow ids are 64-bit: numbers above 2^53 travel as their exact digits (see Sanitise.eventToJson).
  flow_id: opt(Schema.Union(Schema.Int, Schema.BigInt)),
  in_iface: opt(Schema.String),
  event_type: opt(Schema.String),
  vlan: opt(Schema.Array(Schema.Int)),
  src_ip: opt(Schema.String),
  src_port: opt(Schema.Int),
  dest_ip: opt(Schema.String),
  dest_port: opt(Schema.Int),
  proto: opt(Schema.String),
  app_proto: opt(Schema.String),
  alert: opt(SanitisedAlert),
  http: opt(SanitisedHttp),
  tls: opt(SanitisedTls)
})
export type SanitisedEvent = typeof SanitisedEvent.Type

/** The allow-lists, derived from the schemas so the two can never disagree. */
const keysOf = (s: { readonly fields: Record<string, unknown> }): ReadonlyArray<string> => Object.keys(s.fields)
export const ALLOWED = {
  top: keysOf(SanitisedEvent),
  alert: keysOf(SanitisedAlert),
  endpoint: keysOf(Endpoint),
  http: keysOf(SanitisedHttp),
  tls: keysOf(SanitisedTls),
  ja3: keysOf(Ja3)
} as const
