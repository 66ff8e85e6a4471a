/**
 * TLS client/server fingerprints (SPEC section 3): not text to scrub. A value that matches its grammar holds
 * nothing but protocol numbers and hashes, and is sent unchanged (so `ja3.string` still hashes to `ja3.hash`);
 * one that does not is dropped, never scrubbed into something else.
 */

const DASHED = "(?:\\d{1,5}(?:-\\d{1,5})*)?"

/** JA3 (Salesforce): `SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats`, lists dash-separated. */
const JA3_STRING = new RegExp(`^\\d{1,5},${DASHED},${DASHED},${DASHED},${DASHED}$`)
/** JA3S: `SSLVersion,Cipher,Extensions`. */
const JA3S_STRING = new RegExp(`^\\d{1,5},\\d{0,5},${DASHED}$`)
/**
 * JA4 (FoxIO, as Suricata 7 logs `tls.ja4`): protocol (t TCP, q QUIC, d DTLS), version (13, 12, 11, 10, s1-s3,
 * d1-d3, 00), SNI (d domain, i IP), cipher and extension counts (2 digits each), ALPN first+last characters
 * (2 alphanumerics, 00 without ALPN), then two truncated SHA-256 hashes of 12 hex digits.
 */
const JA4 = /^[tqd](?:1[0-3]|s[1-3]|d[1-3]|00)[di]\d{2}\d{2}[0-9A-Za-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$/

export const isJa3String = (s: string): boolean => s.length <= 4096 && JA3_STRING.test(s)
export const isJa3sString = (s: string): boolean => s.length <= 4096 && JA3S_STRING.test(s)
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
