/**
 * The ruleset metadata the plugin installs (contrib/opnsense/src/opnsense/scripts/suricata/metadata/rules/
 * et-telemetry.xml), parsed: the service's endpoints, the token property OPNsense's GUI shows, the files the
 * agent reads, and the stock plugin's category list.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { DEFAULT_BASE_URL } from "../../src/main/commands/ApiFlags.js"
import { DEFAULTS } from "../../src/domain/Paths.js"

const SRC = join(import.meta.dirname, "../../contrib/opnsense/src")
const read = (p: string) => readFileSync(join(SRC, p), "utf8")

describe("ruleset metadata (scripts/suricata/metadata/rules/et-telemetry.xml)", () => {
  const xml = read("opnsense/scripts/suricata/metadata/rules/et-telemetry.xml")
  const attr = (tag: string, name: string) => new RegExp(`<${tag}\\b[^>]*\\b${name}="([^"]*)"`).exec(xml)?.[1]
  const files = [...xml.matchAll(/<file\b([^>]*)>([^<]*)<\/file>/g)].map((m) => ({
    url: /\burl="([^"]*)"/.exec(m[1]!)?.[1],
    required: /\brequired="true"/.test(m[1]!),
    name: m[2]!
  }))

  it("is well-formed: every element closed, one root", () => {
    const body = xml.replace(/<\?xml[^>]*\?>/, "").replace(/<!--[\s\S]*?-->/g, "")
    const stack: Array<string> = []
    for (const m of body.matchAll(/<(\/?)([A-Za-z_][\w.-]*)[^>]*?(\/?)>/g)) {
      if (m[3] === "/") continue
      if (m[1] === "/") expect(stack.pop()).toBe(m[2])
      else stack.push(m[2]!)
    }
    expect(stack).toEqual([])
    expect(body.trim()).toMatch(/^<ruleset[\s>][\s\S]*<\/ruleset>$/)
  })

  it("downloads the archive and the version from the service's ruleset endpoints, with the token as Bearer", () => {
    expect(attr("location", "url")).toBe(`${DEFAULT_BASE_URL}/api/v1/ruleset/engine/suricata/5`)
    expect(attr("version", "url")).toBe(`${DEFAULT_BASE_URL}/api/v1/ruleset/version`)
    expect(xml).toMatch(/<Authorization>Bearer %%et_telemetry\.token%%<\/Authorization>/)
  })

  it("creates the et_telemetry.token property (the GUI's token field)", () => {
    expect(xml).toMatch(/<properties>\s*<property name="et_telemetry\.token" default=""\/>\s*<\/properties>/)
  })

  it("installs telemetry_sids.txt and telemetry_version.json where the agent reads them (SPEC section 1)", () => {
    expect(files).toContainEqual({ url: "inline::rules/telemetry_sids.txt", required: true, name: "telemetry_sids.txt" })
    expect(files).toContainEqual({ url: `${DEFAULT_BASE_URL}/api/v1/ruleset/version`, required: true, name: "telemetry_version.json" })
    // OPNsense's downloader writes every file by its name into the rules directory.
    expect(DEFAULTS.rulesDir).toBe("/usr/local/etc/suricata/rules")
  })

  // The stock plugin's et-telemetry.xml (opnsense/plugins security/etpro-telemetry/src/opnsense/scripts/suricata/
  // metadata/rules/et-telemetry.xml, last changed 2024-02-05): its categories, in its order, and emerging-trojan
  // as its one archived (deprecated) set. Ours must list the same, so an administrator's enabled categories
  // keep their names either way.
  it("lists exactly the stock plugin's categories, each rules/<name>.rules from the archive", () => {
    const categories = [...xml.matchAll(/<file description="([^"]*)" url="([^"]*)"( deprecated="true")?>([^<]*)<\/file>/g)]
    expect(categories.map((m) => m[1])).toEqual([
      "botcc",
      "ciarmy",
      "compromised",
      "drop",
      "dshield",
      "emerging-activex",
      "emerging-adware_pup",
      "emerging-attack_response",
      "emerging-botcc_portgrouped",
      "emerging-chat",
      "emerging-coinminer",
      "emerging-current_events",
      "emerging-deleted",
      "emerging-dns",
      "emerging-dos",
      "emerging-exploit",
      "emerging-exploit_kit",
      "emerging-ftp",
      "emerging-games",
      "emerging-hunting",
      "emerging-icmp",
      "emerging-icmp_info",
      "emerging-imap",
      "emerging-inappropriate",
      "emerging-info",
      "emerging-ja3",
      "emerging-malware",
      "emerging-misc",
      "emerging-mobile_malware",
      "emerging-netbios",
      "emerging-p2p",
      "emerging-phishing",
      "emerging-policy",
      "emerging-pop3",
      "emerging-rpc",
      "emerging-scada",
      "emerging-scan",
      "emerging-shellcode",
      "emerging-smtp",
      "emerging-snmp",
      "emerging-sql",
      "emerging-telnet",
      "emerging-tftp",
      "emerging-user_agents",
      "emerging-voip",
      "emerging-web_client",
      "emerging-web_server",
      "emerging-web_specific_apps",
      "emerging-worm",
      "tor",
      "emerging-trojan"
    ])
    for (const m of categories) {
      expect(m[2]).toBe(`inline::rules/${m[1]}.rules`)
      expect(m[4]).toBe(`${m[1]}.rules`)
    }
    expect(categories.filter((m) => m[3] !== undefined).map((m) => m[1])).toEqual(["emerging-trojan"])
    expect(files.length).toBe(categories.length + 2)
  })

  it("links its documentation over https (OPNsense shows the link on the administrator's own computer)", () => {
    expect(attr("ruleset", "documentation_url")).toMatch(/^https:\/\//)
  })
})
