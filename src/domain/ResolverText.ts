/**
 * Text as a resolver or URL parser reads a host (SPEC section 3): percent-decoded (WHATWG URL host parsing),
 * NFKC-normalised with the UTS #46 label separators (`。`, `．`, `｡`) read as dots, and with the characters IDNA
 * ignores removed (soft hyphen, zero-width space and joiners, variation selectors, BOM: every
 * Default_Ignorable_Code_Point, a superset of UTS #46's "ignored" mapping). So `１０．０．０．１`,
 * `10%2e0.0.1` and `10.0\u00AD.0.1` all read as `10.0.0.1`.
 */

/**
 * Only text with a non-ASCII character or a `%` can read differently: everything else skips the work. A loop,
 * not a regex: it runs on every scrubbed text, mostly a few characters long.
 */
export const needsResolverReading = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 37 || c >= 0x80) return true
  }
  return false
}

const IGNORED = /\p{Default_Ignorable_Code_Point}/gu
const DOTS = /[\u3002\uff0e\uff61]/g
const PERCENT = /(?:%[0-9a-fA-F]{2})+/g
const utf8 = new TextDecoder("utf-8", { fatal: true })
const CONTROL = /[\u0000-\u001f\u007f]/

/**
 * A run of `%XX` as UTF-8. Bytes no host can hold (controls, invalid UTF-8) stay encoded: a control character
 * would join what stands around it into new digits in the JSON text (`%19` → `\u0019`), and `%fc08::1` must
 * still read as `fc08::1`; each printable ASCII byte is still decoded.
 */
const decodeRun = (run: string): string => {
  const bytes = new Uint8Array(run.length / 3)
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16)
  try {
    const s = utf8.decode(bytes)
    if (!CONTROL.test(s)) return s
  } catch {
    // not UTF-8: byte by byte below
  }
  let out = ""
  bytes.forEach((b, i) => {
    out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : run.slice(i * 3, i * 3 + 3)
  })
  return out
}

const percentDecode = (text: string): string => (text.indexOf("%") < 0 ? text : text.replace(PERCENT, decodeRun))

const once = (text: string): string =>
  percentDecode(text).normalize("NFKC").replace(DOTS, ".").replace(IGNORED, "")

/** The resolver's reading; repeated until stable (a fullwidth `％` becomes a `%` only after NFKC). */
export const resolverReading = (text: string): string => {
  let out = text
  for (let round = 0; round < 4; round++) {
    const next = once(out)
    if (next === out) return out
    out = next
  }
  return out
}
