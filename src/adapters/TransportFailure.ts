/**
 * How a failed HTTP exchange is told to the operator, by the one transport (./HttpTransport.ts): the reason
 * behind undici's and the system's error codes, and a
 * one-line excerpt of an answer's body with the token (should the service echo it) replaced.
 */
import type { TransportError } from "../domain/ApiError.js"
import { redact } from "../domain/Token.js"

const EXCERPT_CHARS = 200

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|EPROTO$|HOSTNAME_MISMATCH)/

/** The undici / system error codes in a cause chain (AggregateError included). */
const codesOf = (cause: unknown, depth = 0): Array<string> => {
  if (depth > 5 || typeof cause !== "object" || cause === null) return []
  const c = cause as { code?: unknown; cause?: unknown; errors?: unknown }
  const own = typeof c.code === "string" ? [c.code] : []
  const nested = Array.isArray(c.errors) ? c.errors.flatMap((e) => codesOf(e, depth + 1)) : []
  return [...own, ...nested, ...codesOf(c.cause, depth + 1)]
}

/** Sorts a transport failure into the reasons operators act on differently. */
export const transportReason = (cause: unknown): TransportError["reason"] => {
  const codes = codesOf(cause)
  const has = (...xs: Array<string>) => codes.some((c) => xs.includes(c))
  if (has("ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NONAME", "EAI_NODATA")) return "dns"
  if (has("ECONNREFUSED")) return "refused"
  if (codes.some((c) => TLS_CODES.test(c))) return "tls"
  if (has("UND_ERR_CONNECT_TIMEOUT", "ETIMEDOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT")) return "timeout"
  if (has("ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "ECONNABORTED", "UND_ERR_CLOSED", "ERR_STREAM_PREMATURE_CLOSE")) {
    return "reset"
  }
  const text = String((cause as { message?: unknown } | null)?.message ?? "")
  if (/certificate|ssl|tls/i.test(text)) return "tls"
  return "other"
}

export const PHRASES: Record<TransportError["reason"], string> = {
  dns: "cannot resolve the host name of",
  refused: "connection refused by",
  reset: "connection reset by",
  timeout: "no answer in time from",
  tls: "TLS failure (certificate not trusted or handshake failed; --insecure skips verification) talking to",
  other: "request failed to"
}

export const detailOf = (cause: unknown): string => {
  const codes = codesOf(cause)
  return codes.length > 0 ? ` (${[...new Set(codes)].join(", ")})` : ""
}

/** One line, at most EXCERPT_CHARS, the token (should the service echo it) replaced. */
export const excerpt = (body: string, token: string): string => {
  let t = body.replace(/\s+/g, " ").trim()
  t = redact(t, token)
  return t.length > EXCERPT_CHARS ? `${t.slice(0, EXCERPT_CHARS)}…` : t
}
