/**
 * Which side of an alert's flow is the server (SPEC section 3), so that a local server's names and
 * certificate are never sent. Suricata 7 says it: `direction` `to_server` (the dest is the server) or
 * `to_client` (the src is). Suricata 6 writes no direction: then the server is the side on a well-known port
 * (below 1024, or the app protocol's registered port) when the other side's port is ephemeral; otherwise the
 * local side.
 */

export type Side = "src" | "dest"

export interface FlowServer {
  /** Undefined: no side is the server by these rules and neither is local. */
  readonly side: Side | undefined
  readonly why: string
}

/** Registered ports of the app protocols whose names and certificates are kept (IANA service names). */
const REGISTERED: ReadonlyMap<string, ReadonlyArray<number>> = new Map(Object.entries({
  http: [80, 591, 8008, 8080, 8000, 8443, 3128],
  http2: [80, 443, 8080, 8443],
  tls: [443, 465, 563, 636, 853, 989, 990, 992, 993, 994, 995, 5061, 6697, 8443],
  quic: [443, 8443],
  smtp: [25, 465, 587],
  imap: [143, 993],
  pop3: [110, 995],
  ftp: [21, 990],
  ldap: [389, 636, 3268, 3269],
  rdp: [3389],
  mqtt: [1883, 8883],
  sip: [5060, 5061]
}))

// The verdicts, built once: one is asked for on every alert with a host name or a certificate.
const TO_SERVER: FlowServer = { side: "dest", why: "direction to_server" }
const TO_CLIENT: FlowServer = { side: "src", why: "direction to_client" }
const DEST_WELL_KNOWN: FlowServer = { side: "dest", why: "well-known port against an ephemeral one" }
const SRC_WELL_KNOWN: FlowServer = { side: "src", why: "well-known port against an ephemeral one" }
const DEST_LOCAL: FlowServer = { side: "dest", why: "the local side" }
const SRC_LOCAL: FlowServer = { side: "src", why: "the local side" }
const NO_SIDE: FlowServer = { side: undefined, why: "no local side" }
const NONE: ReadonlyArray<number> = []

const isPort = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 65535

const wellKnown = (port: number, registered: ReadonlyArray<number>) => port < 1024 || registered.includes(port)
const ephemeral = (port: number, registered: ReadonlyArray<number>) => port >= 1024 && !registered.includes(port)

/**
 * The server side of a record. `srcLocal`/`destLocal` say whether each address is local (for the last rule).
 */
export const flowServer = (
  record: { readonly [k: string]: unknown },
  srcLocal: boolean,
  destLocal: boolean
): FlowServer => {
  const direction = record.direction
  if (direction === "to_server") return TO_SERVER
  if (direction === "to_client") return TO_CLIENT
  const sp = record.src_port
  const dp = record.dest_port
  if (isPort(sp) && isPort(dp)) {
    const proto = typeof record.app_proto === "string" ? record.app_proto.toLowerCase() : ""
    const registered = REGISTERED.get(proto) ?? NONE
    if (wellKnown(dp, registered) && ephemeral(sp, registered)) return DEST_WELL_KNOWN
    if (wellKnown(sp, registered) && ephemeral(dp, registered)) return SRC_WELL_KNOWN
  }
  if (destLocal) return DEST_LOCAL
  if (srcLocal) return SRC_LOCAL
  return NO_SIDE
}
