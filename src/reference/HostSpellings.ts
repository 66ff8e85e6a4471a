/**
 * The reference side's reading of a text as a resolver reads it (issue 25), written apart from the agent's
 * sanitiser (no src/domain, no IP library), for the service's privacy check and the tests' oracle:
 * - the resolver's form of a text: percent-decoded (decodeURIComponent, segment by segment), NFKC, the
 *   UTS #46 ideographic full stops read as dots, and the code points UTS #46 maps to nothing ("ignored":
 *   U+00AD, U+034F, U+180B-U+180D, U+180F, U+200B, U+2060, U+2064, U+FE00-U+FE0F, U+FEFF, U+1BCA0-U+1BCA3,
 *   U+E0100-U+E01EF) and the joiners of transitional processing (U+200C, U+200D) removed;
 * - inet_aton (glibc, WHATWG URL) readings of whole tokens: 1 to 4 parts, each decimal, `0x` hex or `0` octal
 *   (not after a `:`, nor a lone number beside `:`, `-`, `_` or `+`);
 * - wildcard-DNS labels (sslip.io, nip.io): 8 hex digits as an IPv4 address, and dashes read as colons.
 */

const IGNORED = /[\u00ad\u034f\u180b-\u180d\u180f\u200b-\u200d\u2060\u2064\ufe00-\ufe0f\ufeff]|\ud82f[\udca0-\udca3]|\udb40[\udd00-\uddef]/g

/** Printable ASCII bytes only: what a host can still hold of a run that is not UTF-8 or decodes to controls. */
const printableOnly = (run: string) =>
  run.replace(/%([2-7][0-9a-f])/gi, (all, h: string) => (h.toLowerCase() === "7f" ? all : String.fromCharCode(parseInt(h, 16))))

const percentDecoded = (text: string): string =>
  text.replace(/(%[0-9a-f]{2})+/gi, (run) => {
    try {
      const decoded = decodeURIComponent(run)
      // WHATWG URL: a C0 control or DEL is a forbidden domain code point: no host holds one.
      // eslint-disable-next-line no-control-regex
      return /[\x00-\x1f\x7f]/.test(decoded) ? printableOnly(run) : decoded
    } catch {
      return printableOnly(run)
    }
  })

/** The text as a resolver reads a host in it (stable: applied until nothing changes). */
export const resolverForm = (text: string): string => {
  let prev = ""
  let cur = text
  for (let i = 0; i < 5 && cur !== prev; i++) {
    prev = cur
    cur = percentDecoded(cur).normalize("NFKC").replace(/[\u3002\uff0e\uff61]/g, ".").replace(IGNORED, "")
  }
  return cur
}

/** One part of an inet_aton address, or undefined. */
const atonPart = (p: string): bigint | undefined => {
  if (/^0x[0-9a-f]*$/i.test(p)) return p.length === 2 ? 0n : BigInt(p)
  if (/^0[0-7]*$/.test(p)) return p.length === 1 ? 0n : BigInt(`0o${p.slice(1)}`)
  if (/^[1-9][0-9]*$/.test(p)) return BigInt(p)
  return undefined
}

/** inet_aton's reading of a whole token (one trailing dot allowed), or undefined. */
export const inetAtonOf = (token: string): number | undefined => {
  const parts = token.replace(/(.)\.$/, "$1").split(".")
  if (parts.length > 4) return undefined
  const values = parts.map(atonPart)
  if (values.some((v) => v === undefined)) return undefined
  const vs = values as Array<bigint>
  const lastBits = BigInt(8 * (5 - vs.length))
  if (vs.slice(0, -1).some((v) => v > 255n) || vs[vs.length - 1]! >= 1n << lastBits) return undefined
  const head = vs.slice(0, -1).reduce((n, v) => (n << 8n) | v, 0n)
  return Number((head << lastBits) | vs[vs.length - 1]!)
}

export interface HostSpelling {
  readonly index: number
  readonly text: string
  /** An IPv4 number, or, for a dashed label, the label with dashes read as colons (for the IPv6 reader). */
  readonly v4?: number
  readonly colonText?: string
}

/** Tokens read as inet_aton, hex labels, and dashed labels to read as IPv6 (by the caller's IPv6 reader). */
export const hostSpellingsIn = (text: string): Array<HostSpelling> => {
  const out: Array<HostSpelling> = []
  for (const m of text.matchAll(/[0-9A-Za-z.]+/g)) {
    // A lone number beside `:`, `-` or `_` is a port, an address group or part of a label, not a host.
    // After a `:` is a port or an IPv6 group; a lone number beside `:`, `-`, `_` or `+` is a port, an address
    // group, part of a label or a time zone, not a host.
    const after = text[m.index - 1] ?? ""
    const lone = !m[0].includes(".") && /[:_+-]/.test(`${after}${text[m.index + m[0].length] ?? ""}`)
    const n = /^\d/.test(m[0]) && !lone && after !== ":" ? inetAtonOf(m[0]) : undefined
    if (n !== undefined) out.push({ index: m.index, text: m[0], v4: n })
  }
  for (const m of text.matchAll(/(?<![0-9A-Za-z])[0-9A-Fa-f]{8}(?![0-9A-Za-z])/g)) {
    out.push({ index: m.index, text: m[0], v4: parseInt(m[0], 16) })
  }
  // From the start of a run only: a dashless run tried from each of its characters is quadratic.
  for (const m of text.matchAll(/(?<![0-9A-Za-z-])[0-9A-Za-z-]*-[0-9A-Za-z-]*/g)) {
    if (/--|(?:-[^-]*){7}/.test(m[0])) out.push({ index: m.index, text: m[0], colonText: m[0].replace(/-/g, ":") })
  }
  return out
}
