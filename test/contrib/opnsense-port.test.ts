/**
 * contrib/opnsense as a port of the opnsense/plugins repository, and the port tree `npm run dist` writes
 * (release/security/etpro-telemetry-agent/). What each piece must be is read from the plugins repository:
 * Mk/plugins.mk (the PLUGIN_* variables; `make install` copies src/ onto /usr/local keeping each file's mode;
 * +POST_INSTALL gets configd's restart and `configctl template reload` for each service/templates/<vendor>/
 * <name>; .pre/.post scripts are appended), a plugin's etc/inc/plugins.inc.d/<name>.inc (sysutils/node_exporter,
 * net-mgmt/telegraf: <name>_services() returning description, configd start/stop/restart, name, pidfile), and
 * core's etc/inc/plugins.inc (stable/25.7: plugins_services() calls <file name>_services()).
 */
import { execFileSync } from "node:child_process"
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { join, relative } from "node:path"
import { describe, expect, it } from "vitest"
import { REPO } from "../support/BuiltCli.js"
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

  it("starts the agent after install and stops it before deinstall (plugins.mk appends .post / .pre), as valid sh", () => {
    expect(read("+POST_INSTALL.post")).toContain("/usr/local/etc/rc.d/etpro_telemetry restart")
    expect(read("+PRE_DEINSTALL.pre")).toContain("/usr/local/etc/rc.d/etpro_telemetry onestop")
    for (const s of ["+POST_INSTALL.post", "+PRE_DEINSTALL.pre"]) execFileSync("/bin/sh", ["-n", join(PORT, s)])
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
    expect(readFileSync(join(BUILT, "src/bin/etpro-telemetry"), "utf8")).toContain('exec node /usr/local/lib/etpro-telemetry/bin/etpro-telemetry "$@"')
    const v = execFileSync(process.execPath, [join(BUILT, "src/lib/etpro-telemetry/bin/etpro-telemetry"), "--version"], { encoding: "utf8" })
    expect(v.trim()).toBe(version)
  })
})
