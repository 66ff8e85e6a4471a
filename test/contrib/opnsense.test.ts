/**
 * The OPNsense plugin files in contrib/opnsense/src, parsed: every command the configd actions and the cron
 * file name is a command of this CLI with flags it has, and every path and URL matches SPEC sections 1-2
 * (the agent's defaults) and what install.sh installs.
 */
import { readdirSync, readFileSync } from "node:fs"
import { join, relative } from "node:path"
import { describe, expect, it } from "vitest"
import { DEFAULT_BASE_URL } from "../../src/main/commands/ApiFlags.js"
import { DEFAULTS } from "../../src/domain/Paths.js"
import { runBuilt } from "../support/BuiltCli.js"

const SRC = join(import.meta.dirname, "../../contrib/opnsense/src")
const REPO = join(import.meta.dirname, "../..")
const read = (p: string) => readFileSync(join(SRC, p), "utf8")
// The launcher install.sh writes, and the rc.d script's default etpro_telemetry_bin.
const AGENT = "/usr/local/bin/etpro-telemetry"

/** configd's format: `[name]` sections of `key:value` lines; `#` comments. */
const configdActions = (text: string): Record<string, Record<string, string>> => {
  const sections: Record<string, Record<string, string>> = {}
  let current: Record<string, string> | undefined
  for (const line of text.split("\n")) {
    if (line.trim() === "" || line.startsWith("#")) continue
    const head = /^\[([a-z0-9_.-]+)\]$/.exec(line)
    if (head !== null) sections[head[1]!] = current = {}
    else {
      const kv = /^([a-z_]+):(.*)$/.exec(line)
      if (kv === null || current === undefined) throw new Error(`not configd syntax: ${line}`)
      current[kv[1]!] = kv[2]!
    }
  }
  return sections
}

/** `/usr/local/bin/etpro-telemetry sub [sub] --flag ...` (before any `||` or `|`, without redirections) → subcommand words and flags. */
const agentCommand = (command: string) => {
  const words = command.split(/\s*\|/)[0]!.trim().split(/\s+/).filter((w) => !/^\d*[<>]/.test(w))
  expect(words[0], command).toBe(AGENT)
  const rest = words.slice(1)
  const firstFlag = rest.findIndex((w) => w.startsWith("--"))
  return { sub: firstFlag === -1 ? rest : rest.slice(0, firstFlag), flags: rest.filter((w) => w.startsWith("--")) }
}

/** Runs `<sub> --help` on the built CLI: the usage line must be that command's and list every flag. */
const expectCliHas = async (sub: ReadonlyArray<string>, flags: ReadonlyArray<string>) => {
  const r = await runBuilt([...sub, "--help"])
  expect(r.code).toBe(0)
  // eslint-disable-next-line no-control-regex
  const usage = r.stdout.replace(/\x1b\[[0-9;]*m/g, "").split("\n").find((l) => l.startsWith("$ "))
  expect(usage, `${sub.join(" ")}: ${r.stdout}`).toMatch(new RegExp(`^\\$ etpro-telemetry ${sub.join(" ")}( |$)`))
  for (const f of flags) expect(usage, `${sub.join(" ")} ${f}`).toContain(`[${f}`)
}

describe("configd actions (actions_etpro_telemetry.conf)", () => {
  const actions = configdActions(read("opnsense/service/conf/actions.d/actions_etpro_telemetry.conf"))

  it("has the status action the API controller runs, always exiting 0 with sensor-info's JSON", () => {
    expect(actions["status"]).toMatchObject({ type: "script_output", command: `${AGENT} sensor-info || true` })
    const controller = read("opnsense/mvc/app/controllers/OPNsense/Diagnostics/Api/ProofpointEtController.php")
    expect(controller).toContain("configdRun('etpro_telemetry status')")
    expect(controller).toMatch(/namespace OPNsense\\Diagnostics\\Api;/)
    expect(controller).toMatch(/class ProofpointEtController extends ApiControllerBase/)
    expect(controller).toMatch(/public function statusAction\(\)/)
  })

  it("has send-events, send-heartbeat and rules actions", () => {
    expect(Object.keys(actions)).toEqual(expect.arrayContaining(["status", "send.events", "send.heartbeat", "rules.update", "rules.list"]))
    for (const [name, a] of Object.entries(actions)) {
      expect(["script", "script_output"], name).toContain(a["type"])
      expect(a["message"], name).toBeTruthy()
      expect(a["parameters"], `${name}: takes no parameters from the GUI`).toBe("")
    }
  })

  it("names only commands and flags this CLI has", async () => {
    await Promise.all(
      Object.values(actions).map((a) => {
        const { sub, flags } = agentCommand(a["command"]!)
        return expectCliHas(sub, flags)
      })
    )
  })
})

describe("cron file (etc/cron.d/etpro-telemetry.cron)", () => {
  const lines = read("etc/cron.d/etpro-telemetry.cron").split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"))
  const jobs = lines.filter((l) => !/^[A-Z]+=/.test(l)).map((l) => l.split(/\t+|\s+(?=\/)/))

  it("sets a PATH with /usr/local/bin, and runs events every minute and the heartbeat hourly as root", () => {
    expect(lines.find((l) => l.startsWith("PATH="))).toMatch(/(^PATH=|:)\/usr\/local\/bin(:|$)/)
    const schedule = jobs.map((j) => [j.slice(0, 6).join(" "), agentCommand(j.slice(6).join(" ")).sub.join(" ")])
    expect(schedule).toEqual([
      ["* * * * * root", "send-events"],
      ["0 * * * * root", "send-heartbeat"]
    ])
  })

  it("leaves the rules to OPNsense's own downloader", () => {
    expect(jobs.some((j) => j.join(" ").includes("rules"))).toBe(false)
  })

  it("names only commands this CLI has", async () => {
    await Promise.all(jobs.map((j) => agentCommand(j.slice(6).join(" "))).map(({ sub, flags }) => expectCliHas(sub, flags)))
  })
})

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

  it("lists every category as rules/<name>.rules from the archive, including all the service serves", () => {
    const categories = files.filter((f) => f.name.endsWith(".rules"))
    expect(categories.length).toBeGreaterThan(30)
    for (const c of categories) expect(c.url).toBe(`inline::rules/${c.name}`)
    expect(new Set(categories.map((c) => c.name)).size).toBe(categories.length)
    const served = ["etpro", "etopen"].flatMap((d) => readdirSync(join(REPO, "fixtures/rules", d)).filter((f) => f.endsWith(".rules")))
    for (const s of served) expect(categories.map((c) => c.name)).toContain(s)
  })
})

describe("widget, ACL and layout", () => {
  const all = (d: string): Array<string> =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? all(join(d, e.name)) : [relative(SRC, join(d, e.name))]))

  it("lays the files out as a plugin's src/ (installed under /usr/local)", () => {
    expect(all(SRC).sort()).toEqual([
      "etc/cron.d/etpro-telemetry.cron",
      "opnsense/mvc/app/controllers/OPNsense/Diagnostics/Api/ProofpointEtController.php",
      "opnsense/mvc/app/models/OPNsense/ProofpointET/ACL/ACL.xml",
      "opnsense/scripts/suricata/metadata/rules/et-telemetry.xml",
      "opnsense/service/conf/actions.d/actions_etpro_telemetry.conf",
      "opnsense/www/js/widgets/ETProTelemetry.js",
      "opnsense/www/js/widgets/Metadata/etpro-telemetry.xml"
    ])
  })

  it("the widget's metadata names its file and endpoint, and the ACL lets the dashboard call it", () => {
    const meta = read("opnsense/www/js/widgets/Metadata/etpro-telemetry.xml")
    expect(meta).toContain("<filename>ETProTelemetry.js</filename>")
    expect(meta).toContain("<endpoint>/api/diagnostics/proofpoint_et/status</endpoint>")
    expect(read("opnsense/mvc/app/models/OPNsense/ProofpointET/ACL/ACL.xml")).toContain("<pattern>api/diagnostics/proofpoint_et/status</pattern>")
    const widget = read("opnsense/www/js/widgets/ETProTelemetry.js")
    // OPNsense loads BaseTableWidget.js as a classic script that exports nothing: the widget must import nothing.
    expect(widget).not.toMatch(/^\s*import\b/m)
    expect(widget).toMatch(/^export default class ETProTelemetry extends BaseTableWidget \{$/m)
    expect(widget).toContain("'/api/diagnostics/proofpoint_et/status'")
    // Text only: nothing the service sends can become markup.
    expect(widget).not.toMatch(/\.html\(|innerHTML|outerHTML/)
  })
})
