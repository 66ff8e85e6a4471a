/**
 * TLS client/server fingerprints (SPEC section 3): not text to scrub. A value that matches its grammar holds
 * nothing but protocol numbers and hashes, and is sent unchanged (so `ja3.string` still hashes to `ja3.hash`);
 * one that does not is dropped, never scrubbed into something else.
 */

/**
 * Whether `s[from, to)` is a JA3 list: empty, or numbers of 1-5 decimal digits joined by single dashes
 * (`(?:\d{1,5}(?:-\d{1,5})*)?`). A loop, not a regex: it runs on every TLS alert, and a memo of these
 * strings cost more than reading them (hashing a fresh 100-character string on every lookup).
 */
const dashedList = (s: string, from: number, to: number): boolean => {
  let digits = 0
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i)
    if (c >= 48 && c <= 57) {
      if (++digits > 5) return false
    } else if (c === 45 && digits > 0 && i + 1 < to) digits = 0
    else return false
  }
  return from === to || digits > 0
}

/** Whether `s[from, to)` is `min` to 5 decimal digits. */
const number = (s: string, from: number, to: number, min: number): boolean => {
  if (to - from < min || to - from > 5) return false
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}

/** A field's grammar: a number of at least this many digits, or (LIST) a dashed list. */
const LIST = -1
const JA3_FIELDS: ReadonlyArray<number> = [1, LIST, LIST, LIST, LIST]
const JA3S_FIELDS: ReadonlyArray<number> = [1, 0, LIST]

/** `s` cut at its commas into exactly the fields given, each matching its grammar; over 4096 characters: no. */
const matchesFields = (s: string, fields: ReadonlyArray<number>): boolean => {
  if (s.length > 4096) return false
  let from = 0
  for (let f = 0; f < fields.length; f++) {
    const to = f === fields.length - 1 ? s.length : s.indexOf(",", from)
    if (to < 0) return false
    const kind = fields[f]!
    if (!(kind === LIST ? dashedList(s, from, to) : number(s, from, to, kind))) return false
    from = to + 1
  }
  return true
}

/**
 * JA3 (Salesforce): `SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats`, lists dash-separated:
 * `^\d{1,5}(?:,LIST){4}$`, LIST being `dashedList`'s grammar.
 */
export const isJa3String = (s: string): boolean => matchesFields(s, JA3_FIELDS)
/** JA3S: `SSLVersion,Cipher,Extensions`: `^\d{1,5},\d{0,5},LIST$`. */
export const isJa3sString = (s: string): boolean => matchesFields(s, JA3S_FIELDS)

/**
 * JA4 (FoxIO, as Suricata 7 logs `tls.ja4`): protocol (t TCP, q QUIC, d DTLS), version (13, 12, 11, 10, s1-s3,
 * d1-d3, 00), SNI (d domain, i IP), cipher and extension counts (2 digits each), ALPN first+last characters
 * (2 alphanumerics, 00 without ALPN), then two truncated SHA-256 hashes of 12 hex digits.
 */
const JA4 = /^[tqd](?:1[0-3]|s[1-3]|d[1-3]|00)[di]\d{2}\d{2}[0-9A-Za-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$/

/** An MD5 in hex (32 digits, either case); a loop, not a regex: it runs on every alert. */
export const isMd5Hex = (s: string): boolean => {
  if (s.length !== 32) return false
  for (let i = 0; i < 32; i++) {
    const c = s.charCodeAt(i)
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70))) return false
  }
  return true
}
export const isJa4 = (s: string): boolean => JA4.test(s)
