/**
 * Issue 25's classes of leak, one fixture each (test/fixtures/privacy-leaks-25.json): sent raw, the reference
 * service's check (or, for a local server's identity, the oracle) finds a violation in every record;
 * sanitised, the independent oracle (test/support/PrivacyOracle.ts, src/reference: no code shared with the
 * sanitiser) finds nothing. JA3 strings still hash to their `ja3.hash` after sanitising.
 */
import { describe, expect, it } from "@effect/vitest"
import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import { ALWAYS_PRIVATE, makeNetworkSet, parseCidrs } from "../../src/domain/Network.js"
import { eventToJson, makeSanitiser } from "../../src/domain/Sanitise.js"
import { checkEvent } from "../../src/reference/PrivacyCheck.js"
import { internalNamesIn, localAddressesIn, localServerLeaks, oracleNetworks, walk } from "../support/PrivacyOracle.js"

type Rec = Record<string, unknown>
const fixtures = JSON.parse(readFileSync(new URL("../fixtures/privacy-leaks-25.json", import.meta.url), "utf8")) as Record<
  "addresses" | "names" | "localServer" | "fingerprints",
  Record<string, Array<Rec>>
>
const sanitise = makeSanitiser(makeNetworkSet(parseCidrs(ALWAYS_PRIVATE).cidrs))
const oracle = oracleNetworks([])
const violations = (event: Rec, kind: "address" | "name") => {
  const raw = JSON.stringify(event)
  return checkEvent(JSON.parse(raw), raw).filter((v) => v.kind === kind)
}
const sent = (record: Rec): Rec => JSON.parse(eventToJson(sanitise(record).event)) as Rec
const rows = (classes: Record<string, Array<Rec>>) =>
  Object.entries(classes).flatMap(([name, records]) => records.map((r) => [name, JSON.stringify(r), r] as const))

describe("addresses a resolver reads (classes 4 and 5)", () => {
  it.each(rows(fixtures.addresses))("%s %s: a violation raw, nothing local sanitised", (_, __, record) => {
    expect(violations(record, "address").length).toBeGreaterThan(0)
    const out = sent(record)
    expect(localAddressesIn(JSON.stringify(out), oracle, "json")).toEqual([])
    const leaks: Array<string> = []
    walk(out, () => undefined, (s) => leaks.push(...localAddressesIn(s, oracle).map((f) => f.text)))
    expect(leaks).toEqual([])
    expect(violations(out, "address")).toEqual([])
  })
})

describe("names that identify the site (class 7)", () => {
  it.each(rows(fixtures.names))("%s %s: a violation raw, masked label by label sanitised", (_, __, record) => {
    expect(violations(record, "name").length).toBeGreaterThan(0)
    const out = sent(record)
    expect(violations(out, "name")).toEqual([])
    const http = (out.http ?? {}) as Rec
    const tls = (out.tls ?? {}) as Rec
    for (const [v, hostField] of [[http.hostname, true], [tls.sni, true], [tls.subject, false], [tls.issuerdn, false]] as const) {
      if (typeof v === "string") expect(internalNamesIn(v, { hostField })).toEqual([])
    }
  })

  it("keeps the special-use suffix: nas.corp.local → xxx.xxx.local", () => {
    expect(sent({ tls: { sni: "nas.corp.local" } })).toEqual({ tls: { sni: "xxx.xxx.local" } })
    expect(sent({ tls: { issuerdn: "DC=ad,DC=acme,DC=lan" } })).toEqual({ tls: { issuerdn: "DC=xxx,DC=xxx,DC=lan" } })
  })

  it("localhost in a public server's certificate names nobody: it stays", () => {
    const record = { src_ip: "10.0.0.5", src_port: 50000, dest_ip: "93.184.216.34", dest_port: 443, tls: { subject: "CN=localhost", sni: "localhost" } }
    expect(sent(record)).toMatchObject({ tls: { subject: "CN=localhost", sni: "localhost" } })
  })
})

describe("a local server's names and certificate (class 6)", () => {
  it.each(rows(fixtures.localServer))("%s %s: shown raw, hidden sanitised", (_, __, record) => {
    expect(localServerLeaks(record, record, oracle).length).toBeGreaterThan(0)
    expect(localServerLeaks(record, sent(record), oracle)).toEqual([])
  })

  it("a public server's certificate is sent (the direction or the ports say which side serves)", () => {
    const record = { src_ip: "10.0.0.5", src_port: 50000, dest_ip: "93.184.216.34", dest_port: 443, app_proto: "tls", tls: { subject: "CN=www.example.com", sni: "www.example.com", serial: "01" } }
    expect(sent(record)).toMatchObject({ tls: { subject: "CN=www.example.com", sni: "www.example.com", serial: "01" } })
  })
})

describe("fingerprints are not host-like text (class 6)", () => {
  it.each(rows(fixtures.fingerprints))("%s %s: ja3.string still hashes to ja3.hash", (_, __, record) => {
    const tls = record.tls as { ja3: { hash: string; string: string } }
    expect(createHash("md5").update(tls.ja3.string).digest("hex")).toBe(tls.ja3.hash)
    const out = sent(record).tls as { ja3: { hash: string; string: string } }
    expect(out.ja3).toEqual(tls.ja3)
    expect(createHash("md5").update(out.ja3.string).digest("hex")).toBe(out.ja3.hash)
  })

  it("a ja3 string, ja3 hash or JA4 outside its grammar is dropped, never scrubbed", () => {
    const out = sent({ tls: { ja3: { hash: "10.0.0.1", string: "CN=10.0.0.1" }, ja3s: { string: "771,49199,65281-0-11-35-16-23" }, ja4: "t13d1516h2_8daaf6152771_02713d6af862" } })
    expect(out).toEqual({ tls: { ja3: {}, ja3s: { string: "771,49199,65281-0-11-35-16-23" }, ja4: "t13d1516h2_8daaf6152771_02713d6af862" } })
    expect(sent({ tls: { ja4: "t13d1516h2_10.0.0.1_02713d6af862" } })).toEqual({ tls: {} })
  })
})
