/** The service files in contrib/: the rc.d script under a stand-in rc.subr, the unit under systemd-analyze. */
import { execFileSync, spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"

const CONTRIB = join(import.meta.dirname, "../../contrib")
const dir = mkdtempSync(join(tmpdir(), "etpro-contrib-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe("rc.d script", () => {
  const script = readFileSync(join(CONTRIB, "rc.d/etpro_telemetry"), "utf8")

  it("is valid sh", () => {
    execFileSync("/bin/sh", ["-n", join(CONTRIB, "rc.d/etpro_telemetry")])
  })

  /** Runs the script with rc.subr replaced by a stub that prints what rc.subr would execute. */
  const render = (rcConf: string) => {
    const stub = join(dir, "rc.subr")
    writeFileSync(
      stub,
      [
        "load_rc_config() { . \"$RC_CONF\"; }",
        "err() { echo \"err: $2\"; exit \"$1\"; }",
        "run_rc_command() { echo \"rcvar=$rcvar pidfile=$pidfile procname=$procname\"; echo \"exec: $command $command_args\";",
        // rc.subr runs the command line through eval, so quotes in etpro_telemetry_args group words.
        "  eval \"set -- $command $command_args\"; for a in \"$@\"; do echo \"argv: $a\"; done; }"
      ].join("\n")
    )
    const conf = join(dir, "rc.conf")
    writeFileSync(conf, rcConf)
    const copy = join(dir, "etpro_telemetry")
    writeFileSync(copy, script.replace(". /etc/rc.subr", `. ${stub}`))
    return execFileSync("/bin/sh", [copy, "start"], { encoding: "utf8", env: { RC_CONF: conf, PATH: "/usr/bin:/bin" } })
  }

  it("supervises `run` with daemon(8), passing etpro_telemetry_args to the agent, not to daemon", () => {
    const out = render(`etpro_telemetry_enable=YES\netpro_telemetry_args="--status-listen 127.0.0.1:8765 --rules-at 04:30"\n`)
    expect(out).toContain("rcvar=etpro_telemetry_enable pidfile=/var/run/etpro_telemetry.pid procname=/usr/sbin/daemon")
    const exec = out.split("\n").find((l) => l.startsWith("exec: "))!
    expect(exec).toMatch(/^exec: \/usr\/sbin\/daemon -f -S -T etpro-telemetry .* -P \/var\/run\/etpro_telemetry\.pid -p \S+ -R 10 /)
    expect(exec.endsWith("/usr/local/bin/etpro-telemetry run --status-listen 127.0.0.1:8765 --rules-at 04:30")).toBe(true)
  })

  it("keeps a quoted flag value with spaces as one argument", () => {
    const out = render(`etpro_telemetry_args="--reload-command '/usr/local/sbin/configctl ids reload'"\n`)
    const argv = out.split("\n").filter((l) => l.startsWith("argv: ")).map((l) => l.slice(6))
    expect(argv.slice(-3)).toEqual(["run", "--reload-command", "/usr/local/sbin/configctl ids reload"])
    expect(argv[0]).toBe("/usr/sbin/daemon")
  })

  it("is off unless enabled, and declares what rcorder needs", () => {
    expect(script).toMatch(/^: "\$\{etpro_telemetry_enable:=NO\}"$/m)
    expect(script).toMatch(/^# PROVIDE: etpro_telemetry$/m)
    expect(script).toMatch(/^# KEYWORD: shutdown$/m)
  })
})

describe("systemd unit", () => {
  const unit = readFileSync(join(CONTRIB, "systemd/etpro-telemetry.service"), "utf8")

  it("runs the agent, stops it with SIGTERM and leaves time for the grace period", () => {
    expect(unit).toMatch(/^ExecStart=\/usr\/local\/bin\/etpro-telemetry run \$ETPRO_TELEMETRY_ARGS$/m)
    expect(unit).toMatch(/^KillSignal=SIGTERM$/m)
    const stop = Number(/^TimeoutStopSec=(\d+)$/m.exec(unit)?.[1])
    expect(stop).toBeGreaterThan(10) // the agent's default --stop-grace
  })

  it("passes systemd-analyze verify (with an executable standing in for the agent)", (ctx) => {
    if (!existsSync("/usr/bin/systemd-analyze")) {
      console.log("systemd-analyze not installed here: unit not verified")
      return ctx.skip()
    }
    const copy = join(dir, "etpro-telemetry.service")
    writeFileSync(copy, unit.replaceAll("/usr/local/bin/etpro-telemetry", "/bin/true"))
    const r = spawnSync("systemd-analyze", ["verify", copy], { encoding: "utf8" })
    // Only complaints about this unit count (the host's own units may have theirs).
    const ours = `${r.stdout}${r.stderr}`.split("\n").filter((l) => l.includes("etpro-telemetry.service"))
    expect(ours).toEqual([])
  })
})
