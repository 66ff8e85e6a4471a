/**
 * The telemetry token's rules: what a usable token looks like, and how a pasted one is cleaned. A token with
 * leading or trailing whitespace is trimmed (and the caller warns); anything else unusual is refused rather
 * than sent. Messages never contain the token itself.
 */
/** Characters a token may hold: base64, base64url, hex and JWT alphabets. */
const TOKEN = /^[A-Za-z0-9._~+/=-]+$/

export type TokenProblem = "empty" | "malformed"

export interface CheckedToken {
  readonly token: string
  /** The value had leading or trailing whitespace, removed. */
  readonly trimmed: boolean
}

export const checkToken = (raw: string): CheckedToken | { readonly problem: TokenProblem } => {
  const token = raw.trim()
  if (token === "") return { problem: "empty" }
  if (!TOKEN.test(token)) return { problem: "malformed" }
  return { token, trimmed: token !== raw }
}

export const ALLOWED_CHARACTERS = "letters, digits and . _ ~ + / = -"

/** Where a raw INI value suggests stray whitespace around the token (leading spaces beyond `key = `). */
export const rawValueHasStrayWhitespace = (rawAfterEquals: string): boolean =>
  /\s$/.test(rawAfterEquals) || /^(\s{2,}|\t)/.test(rawAfterEquals)

/** `text` with every occurrence of the token replaced by `***`: the one redaction every output goes through. */
export const redact = (text: string, token: string): string => (token === "" ? text : text.split(token).join("***"))

/**
 * `value` (parsed JSON received from the service) with the token replaced in every string, keys included:
 * what the service says is printed, stored and served, and a service that echoes the token must not leak it.
 */
export const redactDeep = (value: unknown, token: string): unknown => {
  if (token === "") return value
  if (typeof value === "string") return redact(value, token)
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, token))
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[redact(k, token)] = redactDeep(v, token)
    return out
  }
  return value
}
