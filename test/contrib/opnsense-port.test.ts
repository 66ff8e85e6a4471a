/**
 * contrib/opnsense as a port of the opnsense/plugins repository, and the port tree `npm run dist` writes
 * (release/security/etpro-telemetry-agent/). What each piece must be is read from the plugins repository:
 * Mk/plugins.mk (the PLUGIN_* variables; `make install` copies src/ onto /usr/local keeping each file's mode;
 * +POST_INSTALL gets configd's restart and `configctl template reload` for each service/templates/<vendor>/
 * <name>; .pre/.post scripts are appended), a plugin's etc/inc/plugins.inc.d/<name>.inc (sysutils/node_exporter,
 * net-mgmt/telegraf: <name>_services() returning description, configd start/stop/restart, name, pidfile), and
 * core's etc/inc/plugins.inc (stable/25.7: plugins_services() calls <file name>_services()).
 */
import { execFileSync, spawn, spawnSync } from "node:child_process"
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { describe, expect, it } from "vitest"
import { BIN, REPO } from "../support/BuiltCli.js"
import { PORT_TREE as BUILT } from "../support/BuiltDist.js"

const PORT = join(REPO, "contrib/opnsense")
const { version } = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }
const read = (p: string) => readFileSync(join(PORT, p), "utf8")

/** bmake assignments `NAME=<tabs>value`, comments dropped. */
const makeVars = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split("\n")
      .map((l) => /^([A-Z_]+)=\s*(.*?)\s*(#.*)?$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1]!, m[2]!])
  )

describe("the port (contrib/opnsense)", () => {
  const vars = makeVars(read("Makefile"))

  it("has a plugins.mk Makefile: name, version as package.json, comment, maintainer, node as dependency, conflicting with the stock plugin", () => {
    expect(read("Makefile")).toMatch(/^\.include "\.\.\/\.\.\/Mk\/plugins\.mk"$/m)
    expect(vars["PLUGIN_NAME"]).toBe("etpro-telemetry-agent")
    expect(vars["PLUGIN_VERSION"]).toBe(version)
    expect(vars["PLUGIN_COMMENT"]).toBeTruthy()
    expect(vars).toHaveProperty("PLUGIN_MAINTAINER")
    // FreeBSD's package of www/node22: OPNsense's own package set has none (INSTALL.md says where it comes from).
    expect(vars["PLUGIN_DEPENDS"]).toBe("node22")
    // plugins.mk prefixes "os-": the stock package is os-etpro-telemetry.
    expect(vars["PLUGIN_CONFLICTS"]).toBe("etpro-telemetry")
    expect(vars["PLUGIN_WWW"]).toMatch(/^https:\/\//)
    expect(read("pkg-descr").trim().length).toBeGreaterThan(100)
  })

  it("registers the service for Services and the services widget, with the configd actions and the rc.d pid file", () => {
    const inc = read("src/etc/inc/plugins.inc.d/etpro_telemetry.inc")
    // <file name>_services(): the file is etpro_telemetry.inc.
    expect(inc).toMatch(/^function etpro_telemetry_services\(\)$/m)
    const configd = [...inc.matchAll(/'(start|stop|restart)' => \['etpro_telemetry (\w+)'\]/g)].map((m) => [m[1], m[2]])
    expect(configd.sort()).toEqual([["restart", "restart"], ["start", "start"], ["stop", "stop"]])
    const actions = read("src/opnsense/service/conf/actions.d/actions_etpro_telemetry.conf")
    for (const [, a] of configd) expect(actions).toContain(`[${a}]\ncommand:/usr/local/etc/rc.d/etpro_telemetry ${a}\n`)
    const rc = readFileSync(join(REPO, "contrib/rc.d/etpro_telemetry"), "utf8")
    const pidfile = /'pidfile' => '([^']+)'/.exec(inc)?.[1]
    expect(rc).toContain(`pidfile="/var/run/\${name}.pid"`)
    expect(pidfile).toBe("/var/run/etpro_telemetry.pid")
    expect(/'name' => '([^']+)'/.exec(inc)?.[1]).toBe(/^name="([^"]+)"$/m.exec(rc)?.[1])
  })

  it("enables the service through a template rendered into /etc/rc.conf.d, with run's tasks minus the rules", () => {
    const dir = "src/opnsense/service/templates/OPNsense/ETProTelemetry"
    expect(read(`${dir}/+TARGETS`).trim()).toBe("rc.conf.d:/etc/rc.conf.d/etpro_telemetry")
    const conf = read(`${dir}/rc.conf.d`)
    const rc = readFileSync(join(REPO, "contrib/rc.d/etpro_telemetry"), "utf8")
    expect(rc).toContain('rcvar="etpro_telemetry_enable"')
    expect(conf).toMatch(/^etpro_telemetry_enable="YES"$/m)
    expect(/^etpro_telemetry_args="(.*)"$/m.exec(conf)?.[1]).toBe("--tasks events,heartbeat,sensor-info")
    // plain FreeBSD: all of run's tasks.
    expect(readFileSync(join(REPO, "contrib/rc.d/etpro_telemetry.rc.conf"), "utf8")).toMatch(/^etpro_telemetry_enable="YES"$/m)
  })

  it("the template's flags start `run` with events, heartbeat and sensor info, and no rules task (the built CLI, stopped by SIGTERM)", async () => {
    const conf = read("src/opnsense/service/templates/OPNsense/ETProTelemetry/rc.conf.d")
    const args = /^etpro_telemetry_args="(.*)"$/m.exec(conf)![1]!.split(" ")
    const root = mkdtempSync(join(tmpdir(), "etpro-run-"))
    try {
      const child = spawn(process.execPath, [BIN, "run", ...args, "--root", root, "--base-url", "http://127.0.0.1:9"], { stdio: ["ignore", "pipe", "pipe"] })
      let err = ""
      const code = await new Promise<number | null>((done) => {
        child.stderr.on("data", (c: Buffer) => {
          err += c
          if (err.includes(": started (")) child.kill("SIGTERM")
        })
        const timer = setTimeout(() => child.kill("SIGKILL"), 30_000)
        child.on("close", (c) => {
          clearTimeout(timer)
          done(c)
        })
      })
      expect(code, err).toBe(0)
      const started = err.split("\n").find((l) => l.includes(": started ("))!
      expect(started).toMatch(/events every minute.*heartbeat hourly.*sensor info hourly/)
      expect(started).not.toContain("rules")
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  }, 60_000)

  it("starts the agent after install and stops it before deinstall (plugins.mk appends .post / .pre), as valid sh", () => {
    expect(read("+POST_INSTALL.post")).toContain("/usr/local/etc/rc.d/etpro_telemetry restart")
    expect(read("+PRE_DEINSTALL.pre")).toContain("/usr/local/etc/rc.d/etpro_telemetry onestop")
    for (const s of ["+POST_INSTALL.post", "+PRE_DEINSTALL.pre"]) execFileSync("/bin/sh", ["-n", join(PORT, s)])
  })
})

const hasPhp = spawnSync("php", ["-v"]).status === 0
if (!hasPhp) console.warn("opnsense-port: php not installed here (apt-get install php-cli): the PHP files are not run")

/** Runs PHP code with the given stubs of OPNsense's classes and functions; its stdout. */
const php = (code: string) => execFileSync("php", ["-d", "display_errors=stderr", "-r", code], { encoding: "utf8" })

describe.skipIf(!hasPhp)(`the PHP files, run by php${hasPhp ? "" : " (SKIPPED: no php)"}`, () => {
  const inc = join(PORT, "src/etc/inc/plugins.inc.d/etpro_telemetry.inc")
  const controller = join(PORT, "src/opnsense/mvc/app/controllers/OPNsense/Diagnostics/Api/ProofpointEtController.php")

  it("parse (php -l)", () => {
    for (const f of [inc, controller]) execFileSync("php", ["-l", f], { encoding: "utf8" })
  })

  it("etpro_telemetry_services() returns the one service as plugins_services() expects it", () => {
    const out = php(`if (!function_exists("gettext")) { function gettext($s) { return $s; } } include ${JSON.stringify(inc)}; echo json_encode(etpro_telemetry_services());`)
    expect(JSON.parse(out)).toEqual([
      {
        description: "ET Pro Telemetry agent",
        configd: { restart: ["etpro_telemetry restart"], start: ["etpro_telemetry start"], stop: ["etpro_telemetry stop"] },
        name: "etpro_telemetry",
        pidfile: "/var/run/etpro_telemetry.pid"
      }
    ])
  })

  /** statusAction() with configd answering `raw`: what the API returns, and the configd command it ran. */
  const status = (raw: string) => {
    const stubs = [
      "namespace OPNsense\\Base { class ApiControllerBase { public function sessionClose() {} } }",
      "namespace OPNsense\\Core { class Backend { public function configdRun($c) { $GLOBALS['ran'] = $c; return $GLOBALS['raw']; } } }",
      `namespace { $GLOBALS['raw'] = ${JSON.stringify(raw).replace(/\$/g, "\\$")}; include ${JSON.stringify(controller)};`,
      "$r = (new OPNsense\\Diagnostics\\Api\\ProofpointEtController())->statusAction(); echo json_encode(['ran' => $GLOBALS['ran'], 'answer' => $r]); }"
    ].join("\n")
    return JSON.parse(php(stubs)) as { ran: string; answer: unknown }
  }

  it("the controller runs configd's sensor.info and passes on the agent's JSON line, or answers failed", () => {
    const ok = { status: "ok", sensor_status: "active", last_heartbeat: "2026-11-29T09:00:05Z" }
    expect(status(`${JSON.stringify(ok)}\n`)).toEqual({ ran: "etpro_telemetry sensor.info", answer: ok })
    // A warning line before the JSON line: the last line counts.
    expect(status(`warning: something\n${JSON.stringify({ status: "unconfigured" })}`).answer).toEqual({ status: "unconfigured" })
    for (const raw of ["Execute error", "", "[1,2]", '{"no":"status"}']) {
      expect(status(raw).answer, raw).toEqual({
        status: "failed",
        response: "no answer from the etpro-telemetry agent (configctl etpro_telemetry sensor.info)"
      })
    }
  })
})

describe("the port tree npm run dist writes (release/security/etpro-telemetry-agent)", () => {
  const files = (base: string, d = base): Array<string> =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(base, join(d, e.name)) : [relative(base, join(d, e.name))]))

  it("is the port with the bundle, the launcher, the rc.d script and INSTALL.md added under src/", () => {
    expect(existsSync(BUILT), "run npm run dist").toBe(true)
    const built = files(BUILT).sort()
    const own = files(PORT).sort()
    for (const f of own) {
      expect(built, f).toContain(f)
      expect(readFileSync(join(BUILT, f)), f).toEqual(readFileSync(join(PORT, f)))
    }
    expect(built.filter((f) => !own.includes(f))).toEqual([
      "src/bin/etpro-telemetry",
      "src/etc/rc.d/etpro_telemetry",
      "src/lib/etpro-telemetry/bin/etpro-telemetry",
      "src/lib/etpro-telemetry/dist/bin.js",
      "src/lib/etpro-telemetry/package.json",
      "src/share/doc/etpro-telemetry/INSTALL.md"
    ])
    expect(readFileSync(join(BUILT, "src/etc/rc.d/etpro_telemetry"))).toEqual(readFileSync(join(REPO, "contrib/rc.d/etpro_telemetry")))
    // No cron file: the service is how the plugin runs the agent.
    expect(built.filter((f) => f.includes("cron"))).toEqual([])
  })

  it("keeps the modes pkg will install (plugins.mk copies src/ with tar -p): scripts executable, the rest not", () => {
    for (const f of ["src/bin/etpro-telemetry", "src/etc/rc.d/etpro_telemetry", "src/lib/etpro-telemetry/bin/etpro-telemetry"]) {
      expect(statSync(join(BUILT, f)).mode & 0o777, f).toBe(0o755)
    }
    expect(statSync(join(BUILT, "src/lib/etpro-telemetry/dist/bin.js")).mode & 0o777).toBe(0o644)
  })

  it("has a launcher pointing at the bundle where pkg puts it, and a bundle that runs", () => {
    expect(readFileSync(join(BUILT, "src/bin/etpro-telemetry"), "utf8")).toContain('exec node --max-semi-space-size=1 /usr/local/lib/etpro-telemetry/bin/etpro-telemetry "$@"')
    const v = execFileSync(process.execPath, [join(BUILT, "src/lib/etpro-telemetry/bin/etpro-telemetry"), "--version"], { encoding: "utf8" })
    expect(v.trim()).toBe(version)
  })
})

/**
 * With OPNSENSE_PLUGINS=<checkout of opnsense/plugins> and bmake installed, the port tree under the plugins
 * repository's own Mk/plugins.mk: the package's name and conflicts as it computes them, and its plist (what pkg
 * would install). A check this project does not control; skipped, saying so, without them.
 */
const PLUGINS = process.env["OPNSENSE_PLUGINS"] ?? ""
const hasBmake = spawnSync("bmake", ["-V", "MAKE"], { input: "" }).status === 0
const pluginsReason = PLUGINS === "" ? "OPNSENSE_PLUGINS not set" : !hasBmake ? "bmake not installed" : ""
if (pluginsReason !== "") console.log(`opnsense-port: Mk/plugins.mk check skipped: ${pluginsReason}`)

describe.skipIf(pluginsReason !== "")(`the port under opnsense/plugins' Mk/plugins.mk${pluginsReason === "" ? "" : ` (SKIPPED: ${pluginsReason})`}`, () => {
  it("conflicts with os-etpro-telemetry, depends on node22, and installs src/ under /usr/local", () => {
    const checkout = mkdtempSync(join(tmpdir(), "etpro-plugins-"))
    try {
      for (const d of ["Mk", "Scripts", "Templates"]) cpSync(join(PLUGINS, d), join(checkout, d), { recursive: true })
      const port = join(checkout, "security/etpro-telemetry-agent")
      cpSync(BUILT, port, { recursive: true })
      // A plugins checkout builds for the PHP and Python of its release; any value does for these targets.
      const make = (...args: Array<string>) =>
        execFileSync("bmake", ["-C", port, "PLUGIN_PHP=83", "PLUGIN_PYTHON=311", ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
      expect(make("-V", "PLUGIN_CONFLICTS").trim().split(/\s+/)).toContain("os-etpro-telemetry")
      expect(make("-V", "PLUGIN_DEPENDS").trim()).toBe("node22")
      const own = (d: string): Array<string> =>
        readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? own(join(d, e.name)) : [`/usr/local/${relative(join(port, "src"), join(d, e.name))}`]))
      expect(make("plist").trim().split("\n")).toEqual([...own(join(port, "src")), "/usr/local/opnsense/version/etpro-telemetry-agent"].sort())
    } finally {
      rmSync(checkout, { recursive: true, force: true })
    }
  })
})
