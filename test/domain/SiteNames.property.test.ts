/**
 * Issue 25, properties: names that identify the site never leave unmasked (judged by the reference side's
 * own reading, src/reference/SiteNameCheck.ts, which shares no code with the sanitiser), for generated site
 * names, internal-domain configurations and places in a record; JA3 strings of any shape pass unchanged.
 */
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { createHash } from "node:crypto"
import { localNetworks, parseCidrs } from "../../src/domain/Network.js"
import { eventToJson, makeSanitiser } from "../../src/domain/Sanitise.js"
import { parseInternalDomains } from "../../src/domain/SiteNames.js"
import { checkEvent } from "../../src/reference/PrivacyCheck.js"
import { homeNets, ja3String, siteNameRecord } from "../support/Arbitraries.js"
import { internalNamesIn } from "../support/PrivacyOracle.js"

const domainLabel = fc.stringOf(fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz"), { minLength: 2, maxLength: 6 })
/** A site's own domains, as `--internal-domains` or config.xml/resolv.conf would give them. */
const siteDomains = fc.array(fc.tuple(domainLabel, fc.constantFrom("com", "example", "net", "de", "co.uk")).map(([a, b]) => `${a}.${b}`), {
  minLength: 0,
  maxLength: 2
})

describe("names that identify the site (SPEC section 3)", () => {
  it("are masked wherever a certificate or host name carries them", () => {
    fc.assert(
      fc.property(siteDomains.chain((ds) => fc.tuple(fc.constant(ds), siteNameRecord(ds))), ([domains, record]) => {
        const names = { domains: parseInternalDomains(domains.join(",")).domains }
        const sanitise = makeSanitiser(localNetworks([], []), names)
        const sent = JSON.parse(eventToJson(sanitise(record).event)) as { tls?: Record<string, unknown>; http?: Record<string, unknown> }
        const fields: Array<[unknown, boolean]> = [
          [sent.http?.hostname, true], [sent.tls?.sni, true], [sent.tls?.subject, false], [sent.tls?.issuerdn, false]
        ]
        for (const [v, hostField] of fields) {
          if (typeof v === "string") expect(internalNamesIn(v, { domains, hostField })).toEqual([])
        }
        const raw = JSON.stringify(sent)
        expect(checkEvent(JSON.parse(raw), raw).filter((x) => x.kind === "name")).toEqual([])
      }),
      { numRuns: 300 }
    )
  })
})

describe("fingerprints (SPEC section 3)", () => {
  it("a JA3 string that matches its grammar passes unchanged and still hashes to its ja3.hash", () => {
    fc.assert(
      fc.property(homeNets, ja3String, (nets, string) => {
        const sanitise = makeSanitiser(localNetworks(parseCidrs(nets.map((n) => n.text)).cidrs, []))
        const hash = createHash("md5").update(string).digest("hex")
        const sent = sanitise({ tls: { ja3: { hash, string }, ja3s: { hash, string: string.split(",").slice(0, 3).join(",") } } }).event
        expect(sent.tls?.ja3).toEqual({ hash, string })
        expect(createHash("md5").update(sent.tls!.ja3!.string!).digest("hex")).toBe(sent.tls!.ja3!.hash)
      }),
      { numRuns: 200 }
    )
  })
})
