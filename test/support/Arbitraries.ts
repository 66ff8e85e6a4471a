/**
 * Generators for the privacy property tests: networks (random v4/v6 CIDRs), addresses inside and outside
 * them in every textual form, free text with addresses written into it, and whole eve records with those
 * injected at every depth. Written against ipaddr.js, not src/domain.
 */
import { FastCheck as fc } from "effect"
import ipaddr from "ipaddr.js"
import { ALWAYS_PRIVATE_ORACLE } from "./PrivacyOracle.js"

// ---------------------------------------------------------------------------------------------- numbers

const u32 = fc.integer({ min: 0, max: 0xffffffff })
const group = fc.integer({ min: 0, max: 0xffff })
const groups8 = fc.array(group, { minLength: 8, maxLength: 8 })

export const dotted = (n: number): string => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`
const v4Mask = (p: number) => (p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0)

/** Prefix lengths, weighted towards realistic ones but with the extremes (/0, full length) present. */
const prefix = (max: number) =>
  fc.oneof(
    { weight: 1, arbitrary: fc.integer({ min: 0, max: Math.min(4, max) }) },
    { weight: 6, arbitrary: fc.integer({ min: Math.floor(max / 4), max }) },
    { weight: 1, arbitrary: fc.constant(max) }
  )

// ---------------------------------------------------------------------------------------------- networks

export interface Net {
  readonly kind: "v4" | "v6"
  /** v4: 32-bit number; v6: 8 groups. */
  readonly base: number | ReadonlyArray<number>
  readonly prefix: number
  readonly text: string
}

const v6Text = (g: ReadonlyArray<number>) => new ipaddr.IPv6([...g]).toRFC5952String()

export const v4Net: fc.Arbitrary<Net> = fc
  .tuple(u32, prefix(32), fc.boolean())
  .map(([n, p, hostBits]) => ({
    kind: "v4" as const,
    base: (n & v4Mask(p)) >>> 0,
    prefix: p,
    // Host bits set (`10.1.2.3/8`) is accepted as the network it names.
    text: `${dotted(hostBits ? n : (n & v4Mask(p)) >>> 0)}/${p}`
  }))

export const v6Net: fc.Arbitrary<Net> = fc.tuple(groups8, prefix(128)).map(([g, p]) => {
  const base = g.map((x, i) => {
    const bits = Math.max(0, Math.min(16, p - i * 16))
    return bits === 0 ? 0 : x & ((0xffff << (16 - bits)) & 0xffff)
  })
  return { kind: "v6" as const, base, prefix: p, text: `${v6Text(base)}/${p}` }
})

/** An IPv4 network written as an IPv4-mapped IPv6 network (`::ffff:10.0.0.0/104`). */
export const mappedNet: fc.Arbitrary<Net> = v4Net.map((n) => ({
  ...n,
  text: `::ffff:${dotted(n.base as number)}/${n.prefix + 96}`
}))

export const anyNet = fc.oneof({ weight: 4, arbitrary: v4Net }, { weight: 3, arbitrary: v6Net }, { weight: 1, arbitrary: mappedNet })

/** What a HOME_NET may hold: a few random networks. */
export const homeNets = fc.array(anyNet, { minLength: 0, maxLength: 4 })

export const privateNets: ReadonlyArray<Net> = ALWAYS_PRIVATE_ORACLE.map((t) => {
  const [a, p] = ipaddr.parseCIDR(t)
  return a.kind() === "ipv4"
    ? { kind: "v4", base: ipaddrToU32(a as ipaddr.IPv4), prefix: p, text: t }
    : { kind: "v6", base: (a as ipaddr.IPv6).parts, prefix: p, text: t }
})

function ipaddrToU32(a: ipaddr.IPv4): number {
  return a.octets.reduce((n, o) => n * 256 + o, 0)
}

// ---------------------------------------------------------------------------------------------- addresses

export type Addr = { readonly kind: "v4"; readonly n: number } | { readonly kind: "v6"; readonly parts: ReadonlyArray<number> }

/** A uniformly random address inside a network. */
export const addressIn = (net: Net): fc.Arbitrary<Addr> =>
  net.kind === "v4"
    ? u32.map((r) => ({ kind: "v4" as const, n: (((net.base as number) & v4Mask(net.prefix)) | (r & ~v4Mask(net.prefix))) >>> 0 }))
    : groups8.map((r) => ({
        kind: "v6" as const,
        parts: (net.base as ReadonlyArray<number>).map((b, i) => {
          const bits = Math.max(0, Math.min(16, net.prefix - i * 16))
          const m = bits === 0 ? 0 : (0xffff << (16 - bits)) & 0xffff
          return (b & m) | (r[i]! & ~m & 0xffff)
        })
      }))

export const anyAddress: fc.Arbitrary<Addr> = fc.oneof(
  u32.map((n) => ({ kind: "v4" as const, n })),
  groups8.map((parts) => ({ kind: "v6" as const, parts }))
)

/** Fully expanded lower-case IPv6 (ipaddr.js has `toFixedLengthString` but its typings do not). */
export const expanded = (parts: ReadonlyArray<number>): string => parts.map((p) => p.toString(16).padStart(4, "0")).join(":")

const hex = (n: number, pad: boolean) => (pad ? n.toString(16).padStart(4, "0") : n.toString(16))

/** IPv6 text with the zero run at `[from, to)` compressed to `::` (nothing compressed when from === to). */
const compress = (g: ReadonlyArray<string>, from: number, to: number): string =>
  from === to ? g.join(":") : `${g.slice(0, from).join(":")}::${g.slice(to).join(":")}`

/** The zero runs of a group list, as [from, to). */
const zeroRuns = (parts: ReadonlyArray<number>): Array<[number, number]> => {
  const runs: Array<[number, number]> = []
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] !== 0) continue
    for (let j = i + 1; j <= parts.length && parts[j - 1] === 0; j++) runs.push([i, j])
  }
  return runs
}

const randomCase = (s: string) =>
  fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }).map((up) =>
    [...s].map((c, i) => (up[i] ? c.toUpperCase() : c)).join("")
  )

/** Any IPv6 spelling of 8 groups: any zero run compressed or none, padding per group, any case, optional dotted tail. */
const v6Spelling = (parts: ReadonlyArray<number>): fc.Arbitrary<string> => {
  const runs = zeroRuns(parts)
  return fc
    .tuple(
      fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
      runs.length === 0 ? fc.constant<[number, number]>([0, 0]) : fc.constantFrom<[number, number]>([0, 0], ...runs),
      fc.boolean()
    )
    .chain(([pads, [from, to], dottedTail]) => {
      let text: string
      if (dottedTail && to <= 6) {
        const head = parts.slice(0, 6).map((p, i) => hex(p, pads[i]!))
        const tail = dotted(((parts[6]! << 16) | parts[7]!) >>> 0)
        text = from === to ? `${head.join(":")}:${tail}` : `${compress(head, from, to)}${to === 6 ? "" : ":"}${tail}`
      } else text = compress(parts.map((p, i) => hex(p, pads[i]!)), from, to)
      return randomCase(text)
    })
}

export type Form =
  | "v4"
  | "v4-padded"
  | "mapped-dotted"
  | "mapped-hex"
  | "mapped-expanded"
  | "v6-rfc5952"
  | "v6-expanded"
  | "v6-upper"
  | "v6-any"
  | "v6-bracketed"
  | "v6-zone"

/** Every textual form an address may take, paired with the form's name (for failure messages). */
export const spellings = (a: Addr): fc.Arbitrary<string> => {
  if (a.kind === "v4") {
    const d = dotted(a.n)
    const hi = (a.n >>> 16).toString(16)
    const lo = (a.n & 0xffff).toString(16)
    return fc.oneof(
      fc.constant(d),
      fc.constant(d.split(".").map((o) => o.padStart(3, "0")).join(".")),
      fc.constantFrom(`::ffff:${d}`, `::FFFF:${d}`, `0:0:0:0:0:ffff:${d}`, `0000:0000:0000:0000:0000:ffff:${d}`, `::${d}`),
      fc.constantFrom(`::ffff:${hi}:${lo}`, `::FFFF:${hi.toUpperCase()}:${lo.toUpperCase()}`),
      fc.constant(`0000:0000:0000:0000:0000:ffff:${hi.padStart(4, "0")}:${lo.padStart(4, "0")}`),
      embeddedSpellings(a.n)
    )
  }
  const ip = new ipaddr.IPv6([...a.parts])
  return fc.oneof(
    fc.constant(ip.toRFC5952String()),
    fc.constant(expanded(a.parts)),
    fc.constant(ip.toRFC5952String().toUpperCase()),
    fc.constant(expanded(a.parts).toUpperCase()),
    v6Spelling(a.parts),
    fc.constant(`[${ip.toRFC5952String()}]`),
    fc.constantFrom("%em0", "%1", "%eth0").map((z) => `${ip.toRFC5952String()}${z}`)
  )
}

/**
 * IPv6 addresses carrying the IPv4 address `n` (SPEC section 3): compatible, SIIT, NAT64 well-known and
 * local-use (RFC 6052 /48, /56, /64, /96), 6to4, Teredo (server, and client inverted).
 */
export const embeddedSpellings = (n: number): fc.Arbitrary<string> => {
  const d = dotted(n)
  const h = (x: number) => x.toString(16)
  const hi = h(n >>> 16)
  const lo = h(n & 0xffff)
  const b = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]
  const g = (x: number, y: number) => h((x << 8) | y)
  const inv = (~n) >>> 0
  return fc.constantFrom(
    `::${hi}:${lo}`, `::ffff:0:${d}`, `::ffff:0:${hi}:${lo}`, `64:ff9b::${d}`, `64:ff9b::${hi}:${lo}`,
    `64:ff9b:1:${g(b[0]!, b[1]!)}:${g(0, b[2]!)}:${g(b[3]!, 0)}::`,
    `64:ff9b:1:${g(0, b[0]!)}:${g(0, b[1]!)}:${g(b[2]!, b[3]!)}::`,
    `64:ff9b:1:0:${g(0, b[0]!)}:${g(b[1]!, b[2]!)}:${g(b[3]!, 0)}:0`,
    `2002:${hi}:${lo}::1`, `2002:${hi}:${lo}:5::9`,
    `2001:0:${hi}:${lo}:8000:63bf:1234:5678`, `2001:0:4136:e378:8000:63bf:${h(inv >>> 16)}:${h(inv & 0xffff)}`,
    // ISATAP (issue 25): the interface identifier 0:5efe or 200:5efe, under any prefix.
    `2001:db8::5efe:${d}`, `2001:db8:1:2:200:5efe:${hi}:${lo}`, `fe80::5efe:${hi}:${lo}`
  )
}

/** Spellings only free text holds: inet_aton octal groups, dashed quads in names, reverse-DNS names. */
export const textSpellings = (a: Addr): fc.Arbitrary<string> => {
  if (a.kind === "v6") {
    const nibbles = expanded(a.parts).replace(/:/g, "").split("").reverse().join(".")
    return fc.oneof(spellings(a), fc.constantFrom(`${nibbles}.ip6.arpa`, `${nibbles}.IP6.ARPA`), dashedV6(a.parts))
  }
  const o = dotted(a.n).split(".").map(Number)
  const octal = o.map((x) => `0${x.toString(8)}`).join(".")
  return fc.oneof(
    spellings(a),
    fc.constantFrom(
      octal,
      o.map((x, i) => (i % 2 === 0 ? `0${x.toString(8)}` : String(x))).join("."),
      `ip-${o.join("-")}.ec2.internal`,
      `${o.join("-")}.sslip.io`,
      `${[...o].reverse().join(".")}.in-addr.arpa`
    ),
    resolverSpellings(a.n)
  )
}

const FULLWIDTH_DIGITS = "０１２３４５６７８９"
const INVISIBLE = ["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\ufe0f"]

/** `text` with one invisible (IDNA-ignored) character inserted at some position. */
const withInvisible = (text: string): fc.Arbitrary<string> =>
  fc.tuple(fc.integer({ min: 0, max: text.length }), fc.constantFrom(...INVISIBLE)).map(([at, c]) => `${text.slice(0, at)}${c}${text.slice(at)}`)

/**
 * Issue 25: what a resolver, a URL parser or inet_aton reads as the IPv4 address `n`: one integer (decimal,
 * hex, octal), hex and octal groups, 1- to 3-part forms, percent-encoded, fullwidth and ideographic, with
 * invisible characters inside, and the wildcard-DNS hex label.
 */
export const resolverSpellings = (n: number): fc.Arbitrary<string> => {
  const o = dotted(n).split(".").map(Number)
  const d = dotted(n)
  const hex8 = n.toString(16).padStart(8, "0")
  return fc.oneof(
    fc.constantFrom(
      String(n), `0x${n.toString(16)}`, `0X${n.toString(16).toUpperCase()}`, `0${n.toString(8)}`,
      o.map((x) => `0x${x.toString(16)}`).join("."), o.map((x, i) => (i === 1 ? `0x${x.toString(16)}` : String(x))).join("."),
      o.map((x, i) => (i === 0 ? `0${x.toString(8)}` : `0x${x.toString(16)}`)).join("."),
      `${o[0]}.${o[1]}.${(o[2]! << 8) | o[3]!}`, `${o[0]}.${n & 0xffffff}`, `0x${o[0]!.toString(16)}.${n & 0xffffff}`,
      `${d}.`, d.replace(/\./g, "%2e"), d.replace(/\./g, "%2E"), [...d].map((c) => `%${c.charCodeAt(0).toString(16)}`).join(""),
      [...d].map((c) => (c === "." ? "．" : FULLWIDTH_DIGITS[Number(c)])).join(""), d.replace(/\./g, "。"), d.replace(/\./g, "｡"),
      `${hex8}.sslip.io`, `app-${hex8}.nip.io`, `${hex8.toUpperCase()}.sslip.io`, `${o.join("-")}.nip.io`
    ),
    withInvisible(d)
  )
}

/** The wildcard-DNS dashed forms of an IPv6 address (`fd00--1.sslip.io`), and its text with an invisible character. */
const dashedV6 = (parts: ReadonlyArray<number>): fc.Arbitrary<string> => {
  const short = new ipaddr.IPv6([...parts]).toRFC5952String()
  return fc.oneof(
    fc.constantFrom(`${short.replace(/:/g, "-")}.sslip.io`, `www-${short.replace(/:/g, "-")}.sslip.io`, `${expanded(parts).replace(/:/g, "-")}.nip.io`),
    withInvisible(short)
  )
}

/** Spellings of local addresses for free text. */
export const textValue = (a: fc.Arbitrary<Addr>): fc.Arbitrary<string> => a.chain(textSpellings)

/** Spellings that are whole address values (what an address field may hold). */
export const addressValue = (a: fc.Arbitrary<Addr>): fc.Arbitrary<string> => a.chain(spellings)

/** A local address: inside one of the given networks or an always-private range. */
export const localAddress = (nets: ReadonlyArray<Net>): fc.Arbitrary<Addr> =>
  fc.constantFrom(...nets, ...privateNets).chain(addressIn)

// ---------------------------------------------------------------------------------------------- text

const punctuation = fc.constantFrom(".", ":", "::", ":::", " ", ",", "=", "/", "[", "]", "%", "-", "_", "\"", "\\", "CN=", "O=", "host", "x", ".", "..",
  // Hostile neighbours (issue 10): a word and a colon, brackets and a port, a zone, a domain, a port alone.
  "x:", "eth0:", "IP Address:", "[", "]:443", ":443", "%zone", "%em0", ".example", ".example.com", "8080:", "1.2.3.4:")
const hexish = fc.stringOf(fc.constantFrom(..."0123456789abcdefABCDEF.:"), { maxLength: 8 })

/** Free text with addresses (local and not) written into it among adversarial neighbours. */
export const textWith = (local: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc
    .array(
      fc.oneof(
        { weight: 3, arbitrary: local },
        { weight: 1, arbitrary: addressValue(anyAddress) },
        { weight: 3, arbitrary: punctuation },
        { weight: 2, arbitrary: hexish },
        { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
        { weight: 1, arbitrary: fc.nat({ max: 999 }).map(String) }
      ),
      { maxLength: 7 }
    )
    .map((parts) => parts.join(""))

// ---------------------------------------------------------------------------------------------- records

/** Keys that are dangerous to a careless lookup table. */
const trickyKeys = fc.constantFrom("__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "prototype")
/** Allowed names at the wrong level, dropped names, and random names. */
const strayKeys = fc.oneof(
  trickyKeys,
  fc.constantFrom(
    "src_ip", "dest_ip", "ip", "port", "hostname", "subject", "sni", "hash", "string", "source", "target",
    "signature", "category", "severity", "gid", "metadata", "rule", "xff", "context", "url", "http_user_agent",
    "redirect", "http_refer", "payload", "payload_printable", "packet", "flow", "app_proto_tc", "tx_id",
    "host", "community_id", "ether", "dns", "fileinfo", "smtp", "email", "vars", "alert", "http", "tls", "ja3"
  ),
  fc.string({ maxLength: 8 })
)

/** Builds an object with own properties only, `__proto__` included (as JSON.parse does). */
export const objectOf = (entries: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> => {
  const o: Record<string, unknown> = {}
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true })
  return o
}

export interface RecordArbs {
  /** A local address value (whole field). */
  readonly local: fc.Arbitrary<string>
}

export const makeRecordArbs = (local: fc.Arbitrary<string>) => {
  const text = textWith(local)
  const address = fc.oneof(
    { weight: 4, arbitrary: local },
    { weight: 2, arbitrary: addressValue(anyAddress) },
    { weight: 1, arbitrary: text },
    { weight: 1, arbitrary: fc.constantFrom("not-an-ip", "", "10.0.0.256", "1.2.3", "::g", "[fd00::1", "xxx.xxx.xxx.1", "xxxx:xxxx:0000:0001") },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }
  )
  const int = fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: -10, max: 70000 }) },
    { weight: 1, arbitrary: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), text, fc.constant(null)) }
  )
  /** Anything JSON, with local addresses among its strings and keys. */
  const junk: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown }>((tie) => ({
    node: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      text,
      local,
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie("node"), { maxLength: 3 }),
      fc.array(fc.tuple(fc.oneof(strayKeys, local), tie("node")), { maxLength: 3 }).map(objectOf)
    )
  })).node
  const field = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 5, arbitrary: arb as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: junk })
  /** An object with some of the given fields (each maybe mistyped) and some stray keys. */
  const obj = (fields: Record<string, fc.Arbitrary<unknown>>) =>
    fc
      .tuple(
        fc.subarray(Object.entries(fields)).chain((fs) => fc.tuple(...fs.map(([k, a]) => field(a).map((v) => [k, v] as const)))),
        fc.array(fc.tuple(strayKeys, junk), { maxLength: 2 })
      )
      .chain(([known, stray]) => fc.shuffledSubarray([...known, ...stray], { minLength: known.length + stray.length }))
      .map(objectOf)
  const endpoint = obj({ ip: address, port: int })
  const ja3 = obj({ hash: text, string: text })
  const alert = obj({
    action: text, signature_id: int, rev: int, source: endpoint, target: endpoint, signature: text, category: text,
    severity: int, gid: int, metadata: junk, rule: text, xff: local, context: junk
  })
  const http = obj({
    hostname: fc.oneof(address, text), http_port: int, http_method: text, protocol: text, status: int, length: int,
    http_content_type: text, url: text, http_user_agent: text, redirect: text, http_refer: text, xff: local, headers: junk, cookies: junk
  })
  const tls = obj({
    subject: text, issuerdn: text, serial: text, fingerprint: text, sni: text, version: text, notbefore: text,
    notafter: text, ja3, ja3s: ja3, certificate: text, chain: junk
  })
  const record = obj({
    timestamp: fc.oneof(fc.constant("2026-11-27T10:00:00.123456+0530"), text),
    flow_id: fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.integer({ min: 0 }), int),
    in_iface: text,
    event_type: fc.oneof(fc.constant("alert"), text),
    vlan: fc.oneof(fc.array(fc.integer({ min: 0, max: 4095 }), { maxLength: 2 }), junk),
    src_ip: address,
    src_port: int,
    dest_ip: address,
    dest_port: int,
    proto: text,
    app_proto: text,
    alert,
    http,
    tls,
    payload: text,
    payload_printable: text,
    flow: junk,
    metadata: junk,
    xff: local,
    dns: junk
  })
  return { record, text, address, junk }
}

// ---------------------------------------------------------------------------------------------- names (issue 25)

const label = fc.stringOf(fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789"), { minLength: 1, maxLength: 8 })
  .filter((l) => l !== "localhost" && !/^x+$/.test(l))

/** SPEC section 3's special-use and private-use suffixes, written out here again. */
export const SPECIAL_USE_ORACLE = ["local", "home.arpa", "internal", "lan", "localdomain", "intranet", "corp", "home", "private"]

/** A name that identifies the site: under a special-use suffix or one of `domains`, any case, maybe a trailing dot. */
export const siteName = (domains: ReadonlyArray<string>): fc.Arbitrary<string> =>
  fc.tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.constantFrom(...SPECIAL_USE_ORACLE, ...domains), fc.boolean(), fc.boolean())
    .map(([labels, suffix, upper, dot]) => {
      const name = `${labels.join(".")}.${suffix}${dot ? "." : ""}`
      return upper ? name.toUpperCase() : name
    })

/** Where a certificate or a host name may carry a site name. */
export const siteNameRecord = (domains: ReadonlyArray<string>) =>
  fc.tuple(siteName(domains), label, fc.constantFrom("sni", "hostname", "subject", "issuerdn", "dc")).map(([name, single, where]) => {
    const bare = name.replace(/\.$/, "")
    switch (where) {
      case "sni": return { tls: { sni: name } }
      case "hostname": return { http: { hostname: name.length % 2 === 0 ? name : single } }
      case "subject": return { tls: { subject: `CN=${name}, O=Example` } }
      case "issuerdn": return { tls: { issuerdn: `CN=ca, emailAddress=pki@${bare}` } }
      default: return { tls: { subject: bare.split(".").map((l) => `DC=${l}`).join(",") } }
    }
  })

/** A JA3 string (five comma-separated fields of dash-separated decimals), its dashed runs often quad-like. */
export const ja3String = fc
  .tuple(
    fc.constantFrom(769, 770, 771, 772),
    ...[0, 1, 2, 3].map(() => fc.array(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 65535 })), { maxLength: 12 }))
  )
  .map(([v, ...lists]) => [String(v), ...lists.map((l) => (l as Array<number>).join("-"))].join(","))
