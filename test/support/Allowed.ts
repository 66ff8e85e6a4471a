/**
 * SPEC section 3's allow-lists, written out as literal key paths (deliberately not derived from
 * src/domain/EveRecord.ts's ALLOWED, so a widened schema cannot widen the test too).
 */
export const ALLOWED_PATHS: ReadonlySet<string> = new Set([
  "timestamp", "flow_id", "in_iface", "event_type", "vlan", "src_ip", "src_port", "dest_ip", "dest_port", "proto",
  "app_proto", "alert", "http", "tls",
  "alert.action", "alert.signature_id", "alert.rev", "alert.source", "alert.target",
  "alert.source.ip", "alert.source.port", "alert.target.ip", "alert.target.port",
  "http.hostname", "http.http_port", "http.http_method", "http.protocol", "http.status", "http.length",
  "http.http_content_type",
  "tls.subject", "tls.issuerdn", "tls.serial", "tls.fingerprint", "tls.sni", "tls.version", "tls.notbefore",
  "tls.notafter", "tls.ja3", "tls.ja3s", "tls.ja3.hash", "tls.ja3.string", "tls.ja3s.hash", "tls.ja3s.string",
  // Issue 25: a JA4 fingerprint that matches its grammar.
  "tls.ja4"
])
