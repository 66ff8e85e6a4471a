/**
 * The OPNsense plugin files in contrib/opnsense/src, parsed: every command the configd actions and the cron
 * file (contrib/cron) name is a command of this CLI with flags it has, or the rc.d script; the widget's API
 * route reaches the controller as OPNsense's router maps it and the ACL lets the dashboard call it; the
 * widget imports nothing. The ruleset metadata: opnsense-ruleset.test.ts.
 */
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { build } from "esbuild"
import { describe, expect, it } from "vitest"
import { runBuilt } from "../support/BuiltCli.js"

const SRC = join(import.meta.dirname, "../../contrib/opnsense/src")
const REPO = join(import.meta.dirname, "../..")
const read = (p: string) => readFileSync(join(SRC, p), "utf8")
// The launcher install.sh writes, and the rc.d script's default etpro_telemetry_bin.
const AGENT = "/usr/local/bin/etpro-telemetry"
const RC = "/usr/local/etc/rc.d/etpro_telemetry"

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

  it("start, stop, restart and status drive the rc.d service", () => {
    for (const a of ["start", "stop", "restart"]) expect(actions[a], a).toMatchObject({ type: "script", command: `${RC} ${a}` })
    // configd drops the output of a command that exits non-zero: status always exits 0.
    expect(actions["status"]).toMatchObject({ type: "script_output", command: `/usr/bin/timeout 2 ${RC} status; exit 0` })
  })

  /** The status action's command line, run by sh with a stand-in for the rc.d script. */
  const runStatus = (script: string) => {
    const dir = mkdtempSync(join(tmpdir(), "etpro-status-"))
    try {
      writeFileSync(join(dir, "rc"), script, { mode: 0o755 })
      const command = actions["status"]!["command"]!.replace(RC, join(dir, "rc")).replace("/usr/bin/timeout", "timeout")
      const started = Date.now()
      const r = spawnSync("/bin/sh", ["-c", command], { encoding: "utf8", timeout: 10_000 })
      return { ...r, ms: Date.now() - started }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }

  it("status answers within 2 s, exit 0, even when the rc.d script hangs; rc.subr's answer passes through", () => {
    const fast = runStatus("#!/bin/sh\necho \"etpro_telemetry is running as pid 4242.\"\n")
    expect(fast.status).toBe(0)
    expect(fast.stdout).toBe("etpro_telemetry is running as pid 4242.\n")
    const hung = runStatus("#!/bin/sh\nsleep 30\n")
    expect(hung.status).toBe(0)
    expect(hung.ms).toBeLessThan(2_900)
  })

  it("sensor.info is what the API controller runs, always exiting 0 with sensor-info's JSON", () => {
    expect(actions["sensor.info"]).toMatchObject({ type: "script_output", command: `${AGENT} sensor-info || true` })
    const controller = read("opnsense/mvc/app/controllers/OPNsense/Diagnostics/Api/ProofpointEtController.php")
    expect(controller).toContain("configdRun('etpro_telemetry sensor.info')")
  })

  it("has no rules actions: on OPNsense the rules are the IDS's own download", () => {
    expect(Object.keys(actions).filter((k) => k.startsWith("rules"))).toEqual([])
    for (const a of Object.values(actions)) expect(a["command"]).not.toMatch(/ rules\b/)
  })

  it("every action is well-formed and takes no parameters from the GUI", () => {
    for (const [name, a] of Object.entries(actions)) {
      expect(["script", "script_output"], name).toContain(a["type"])
      expect(a["message"], name).toBeTruthy()
      expect(a["parameters"], name).toBe("")
    }
  })

  it("names only commands and flags this CLI has", async () => {
    await Promise.all(
      Object.values(actions)
        .filter((a) => a["command"]!.startsWith(AGENT))
        .map((a) => {
          const { sub, flags } = agentCommand(a["command"]!)
          return expectCliHas(sub, flags)
        })
    )
  })
})

describe("cron file (contrib/cron/etpro-telemetry.cron, the documented alternative to the service)", () => {
  const lines = readFileSync(join(REPO, "contrib/cron/etpro-telemetry.cron"), "utf8").split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"))
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

/**
 * OPNsense's MVC router (core stable/25.7 mvc/app/library/OPNsense/Mvc/Router.php) maps /api/<module>/<controller>/
 * <action> to <Module>/Api/<Controller>Controller.php, class <Controller>Controller, method <action>Action, each
 * snake_case part turned CamelCase (the action's first letter lower case). Written here for the test.
 */
const route = (url: string) => {
  const camel = (s: string) => s.split("_").map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("")
  const [, api, module, controller, action] = url.split("/")
  expect(api).toBe("api")
  const klass = `${camel(controller!)}Controller`
  return { file: `opnsense/mvc/app/controllers/OPNsense/${camel(module!)}/Api/${klass}.php`, namespace: `OPNsense\\${camel(module!)}\\Api`, klass, method: `${camel(action!).charAt(0).toLowerCase()}${camel(action!).slice(1)}Action` }
}

describe("widget, API route, ACL and layout", () => {
  const all = (d: string): Array<string> =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? all(join(d, e.name)) : [relative(SRC, join(d, e.name))]))
  const meta = read("opnsense/www/js/widgets/Metadata/etpro-telemetry.xml")
  const endpoint = /<endpoint>([^<]*)<\/endpoint>/.exec(meta)![1]!

  it("lays the files out as a plugin's src/ (installed under /usr/local)", () => {
    expect(all(SRC).sort()).toEqual([
      "etc/inc/plugins.inc.d/etpro_telemetry.inc",
      "opnsense/mvc/app/controllers/OPNsense/Diagnostics/Api/ProofpointEtController.php",
      "opnsense/mvc/app/models/OPNsense/ProofpointET/ACL/ACL.xml",
      "opnsense/scripts/suricata/metadata/rules/et-telemetry.xml",
      "opnsense/service/conf/actions.d/actions_etpro_telemetry.conf",
      "opnsense/service/templates/OPNsense/ETProTelemetry/+TARGETS",
      "opnsense/service/templates/OPNsense/ETProTelemetry/rc.conf.d",
      "opnsense/www/js/widgets/ETProTelemetry.js",
      "opnsense/www/js/widgets/Metadata/etpro-telemetry.xml"
    ])
  })

  it("the widget's endpoint is the route of the controller's status action, and the widget calls that endpoint", () => {
    expect(endpoint).toBe("/api/diagnostics/proofpoint_et/status")
    const r = route(endpoint)
    expect(existsSync(join(SRC, r.file)), r.file).toBe(true)
    const controller = read(r.file)
    expect(controller.split("\n")).toContain(`namespace ${r.namespace};`)
    expect(controller).toMatch(new RegExp(`^class ${r.klass} extends ApiControllerBase$`, "m"))
    expect(controller).toMatch(new RegExp(`public function ${r.method}\\(\\)`))
    expect(read("opnsense/www/js/widgets/ETProTelemetry.js")).toContain(`'${endpoint}'`)
  })

  it("the ACL grants exactly that endpoint (ACL.php urlMatch: the URL is \"/\" + pattern)", () => {
    const patterns = [...read("opnsense/mvc/app/models/OPNsense/ProofpointET/ACL/ACL.xml").matchAll(/<pattern>([^<]*)<\/pattern>/g)].map((m) => m[1])
    expect(patterns).toEqual([endpoint.slice(1)])
  })

  it("the widget imports nothing (OPNsense's BaseTableWidget.js is a classic script exporting nothing) and writes service values only as text", async () => {
    const file = join(SRC, "opnsense/www/js/widgets/ETProTelemetry.js")
    // esbuild's own parse: static imports, re-exports and import() calls alike.
    const r = await build({ entryPoints: [file], bundle: true, write: false, metafile: true, format: "esm", logLevel: "silent" })
    expect(Object.values(r.metafile.inputs).flatMap((i) => i.imports)).toEqual([])
    const widget = read("opnsense/www/js/widgets/ETProTelemetry.js")
    expect(widget).toMatch(/^export default class ETProTelemetry extends BaseTableWidget \{$/m)
    expect(widget).not.toMatch(/\.html\(|innerHTML|outerHTML/)
  })
})
