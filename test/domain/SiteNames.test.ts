/** Names policy (SPEC section 3, issue 25): the pure parsers of the firewall's own domain and the name rules. */
import { describe, expect, it } from "@effect/vitest"
import { configXmlDomain, internalNameRule, maskName, maskSiteNames, parseInternalDomains, resolvConfDomains } from "../../src/domain/SiteNames.js"

const policy = { domains: [{ domain: "acme.example", origin: "--internal-domains" }] }

describe("this firewall's own domain", () => {
  it("is config.xml's system/domain (laid out as opnsense/core src/etc/config.xml.sample: <sysctl> first, then <system>)", () => {
    const xml = `<?xml version="1.0"?>\n<opnsense>\n  <sysctl><item><tunable>x</tunable></item></sysctl>\n  <system>\n    <optimization>normal</optimization>\n    <hostname>OPNsense</hostname>\n    <domain>Acme.Example</domain>\n    <user><name>root</name></user>\n  </system>\n  <interfaces/>\n</opnsense>\n`
    expect(configXmlDomain(xml)).toBe("acme.example")
    expect(configXmlDomain("<opnsense><unbound><domain>x.example</domain></unbound></opnsense>")).toBeUndefined()
  })

  it("and resolv.conf's domain and search entries (resolv.conf(5); comments with # or ;)", () => {
    expect(resolvConfDomains("# generated\nnameserver 10.0.0.1\nsearch a.example b.example ; c.example\ndomain site.example\n")).toEqual([
      "a.example", "b.example", "site.example"
    ])
  })

  it("--internal-domains takes a comma list; an entry that is not a domain is named", () => {
    expect(parseInternalDomains(" Acme.Example, .corp.example ,").domains.map((d) => d.domain)).toEqual(["acme.example", "corp.example"])
    expect(parseInternalDomains("acme.example,not a domain").invalid).toBe("not a domain")
  })
})

describe("internal names", () => {
  it.each([
    ["nas.corp.local", "special-use suffix .local"],
    ["printer.home.arpa", "special-use suffix .home.arpa"],
    ["fw.acme.example", "acme.example (--internal-domains)"],
    ["www.example.com", undefined],
    ["localhost", undefined],
    ["db.localhost", undefined]
  ])("%s: %s", (name, rule) => {
    expect(internalNameRule(name, policy, true)).toBe(rule)
  })

  it("a single label is internal in a host name field only", () => {
    expect(internalNameRule("nas", policy, true)).toBe("a single-label name")
    expect(internalNameRule("nas", policy, false)).toBeUndefined()
  })

  it("is masked label by label, keeping the special-use suffix or the top-level label", () => {
    expect(maskName("nas.corp.local")).toBe("xxx.xxx.local")
    expect(maskName("printer.home.arpa")).toBe("xxx.home.arpa")
    expect(maskName("fw.acme.example")).toBe("xxx.xxx.example")
    expect(maskSiteNames("CN=mail.internal, O=Acme Corp", policy, false).text).toBe("CN=xxx.internal, O=Acme Corp")
    expect(maskSiteNames("DC=ad,DC=acme,DC=lan", policy, false).text).toBe("DC=xxx,DC=xxx,DC=lan")
    expect(maskSiteNames("nas", policy, true).text).toBe("xxx")
    expect(maskSiteNames("C=US, O=Let's Encrypt, CN=R3", policy, false).text).toBe("C=US, O=Let's Encrypt, CN=R3")
  })

  it("is read as a resolver reads it", () => {
    expect(maskSiteNames("nas.corp.ｌｏｃａｌ", policy, true).text).toBe("xxx.xxx.local")
    expect(maskSiteNames("nas.co\u00adrp.local", policy, true).text).toBe("xxx.xxx.local")
  })
})
