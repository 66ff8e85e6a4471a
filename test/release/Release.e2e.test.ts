/**
 * The release tarball as an administrator gets it: unpacked where there is no node_modules, every agent
 * command run with only `node`, against the reference service started from this repository's build.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { hostname } from "node:os"
import { dirname, join, relative } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { BIN } from "../support/BuiltCli.js"
import { sensorTree } from "../e2e/support.js"
import { run, unpackRelease } from "./support.js"

const TOKEN = "release-e2e-token-0123456789"
const ADMIN = "release-admin"

let dir: string
let top: string
let service: ChildProcess
let url: string

const agent = (...args: ReadonlyArray<string>) => run(process.execPath, [join(top, "bin/etpro-telemetry"), ...args], dir)

const files = (d: string): Array<string> =>
  readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(d, e.name)) : [relative(top, join(d, e.name))]
  )

/** `service` from the repository's own build (it needs better-sqlite3, which the release leaves out). */
const startService = () =>
  new Promise<string>((done, fail) => {
    service = spawn(process.execPath, [BIN, "service", "--listen", "127.0.0.1:0", "--token", TOKEN, "--admin-key", ADMIN])
    let out = ""
    const timer = setTimeout(() => fail(new Error(`service did not start: ${out}`)), 60_000)
    service.stdout!.on("data", (c: Buffer) => {
      out += c
      const m = /listening on (\S+)\n/.exec(out)
      if (m !== null) {
        clearTimeout(timer)
        done(m[1]!)
      }
    })
    service.on("close", (code) => fail(new Error(`service exited ${code}: ${out}`)))
  })

beforeAll(async () => {
  ;({ dir, top } = await unpackRelease())
  url = await startService()
}, 90_000)

afterAll(() => {
  service?.kill("SIGTERM")
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
})

/**
 * Runs send-events through the launcher against a sink in this process that, at the first event, reads the
 * run's lock file (held for the whole delivery), then acknowledges everything.
 */
const lockSeenBy = (launcher: string, args: ReadonlyArray<string>, lockPath: string) =>
  new Promise<{ code: number | null; stderr: string; pid: number | undefined; lock: unknown }>((done, fail) => {
    let lock: unknown
    const sink = createServer((req, res) => {
      req.resume()
      req.on("end", () => {
        if (lock === undefined) lock = JSON.parse(readFileSync(lockPath, "utf8"))
        res.writeHead(201, { "content-type": "application/json" }).end('{"status":"created"}')
      })
    })
    sink.listen(0, "127.0.0.1", () => {
      const { port } = sink.address() as AddressInfo
      const child = spawn("/bin/sh", [launcher, "send-events", ...args, "--base-url", `http://127.0.0.1:${port}`], { cwd: dir })
      let stderr = ""
      child.stderr!.on("data", (c: Buffer) => (stderr += c))
      const timer = setTimeout(() => child.kill("SIGKILL"), 60_000)
      child.on("error", fail)
      child.on("close", (code) => {
        clearTimeout(timer)
        sink.close()
        done({ code, stderr, pid: child.pid, lock })
      })
    })
  })

describe("the release tarball", () => {
  it("holds one bundle, bin/, the service and plugin files, a README and install.sh, and no node_modules or native addon", () => {
    const all = files(top)
    for (const f of [
      "dist/bin.js",
      "bin/etpro-telemetry",
      "install.sh",
      "launcher.sh",
      "README",
      "INSTALL.md",
      "package.json",
      "contrib/rc.d/etpro_telemetry",
      "contrib/systemd/etpro-telemetry.service",
      "contrib/cron/etpro-telemetry.cron",
      "contrib/rc.d/etpro_telemetry.rc.conf",
      "contrib/opnsense/Makefile",
      "contrib/opnsense/pkg-descr",
      "contrib/opnsense/src/etc/inc/plugins.inc.d/etpro_telemetry.inc",
      "contrib/opnsense/src/opnsense/service/conf/actions.d/actions_etpro_telemetry.conf",
      "contrib/opnsense/src/opnsense/scripts/suricata/metadata/rules/et-telemetry.xml",
      "contrib/opnsense/src/opnsense/mvc/app/controllers/OPNsense/Diagnostics/Api/ProofpointEtController.php",
      "contrib/opnsense/src/opnsense/www/js/widgets/ETProTelemetry.js",
      "contrib/opnsense/src/opnsense/www/js/widgets/Metadata/etpro-telemetry.xml"
    ]) expect(all).toContain(f)
    expect(all.filter((f) => f.startsWith("dist/")).sort()).toEqual(["dist/bin.js"])
    expect(all.filter((f) => /node_modules|\.node$/.test(f))).toEqual([])
    expect(statSync(join(top, "install.sh")).mode & 0o111).not.toBe(0)
    expect(statSync(join(top, "bin/etpro-telemetry")).mode & 0o111).not.toBe(0)
  })

  it("--version", async () => {
    const r = await agent("--version")
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    expect(r.stdout.trim()).toBe("0.1.0")
  })

  it("dump, send-events, sensor-info, send-heartbeat, rules update and status run from it against the service", async () => {
    const sensor = await sensorTree(TOKEN)
    try {
      const root = ["--root", sensor.root]
      const dump = await agent("dump", ...root, "--since", "all", "--parsed")
      expect(dump.code, dump.stderr).toBe(0)
      const bodies = dump.stdout.trim().split("\n").map((l) => JSON.parse(l) as { event_type: string })
      expect(bodies.length).toBeGreaterThan(0)
      expect(bodies.every((b) => b.event_type === "alert")).toBe(true)

      const send = await agent("send-events", ...root, "--base-url", url, "--direct")
      expect(send.code, send.stderr).toBe(0)
      const stats = (await (await fetch(`${url}/admin/stats`, { headers: { "x-admin-key": ADMIN } })).json()) as {
        events: number
        violations: number
      }
      expect(stats.events).toBe(bodies.length)
      expect(stats.violations).toBe(0)

      const heartbeat = await agent("send-heartbeat", ...root, "--base-url", url, "--direct")
      expect(heartbeat.code, heartbeat.stderr).toBe(0)

      const info = await agent("sensor-info", ...root, "--base-url", url)
      expect(info.code, info.stderr).toBe(0)
      const answer = JSON.parse(info.stdout) as { status: string; sensor_status: string }
      expect(answer.status).toBe("ok")
      expect(answer.sensor_status.toUpperCase()).toBe("ACTIVE")

      const rules = await agent("rules", "update", ...root, "--base-url", url)
      expect(rules.code, rules.stderr).toBe(0)

      const status = await agent("status", ...root, "--base-url", url, "--json")
      expect(status.code, status.stderr).toBe(0)
      expect(JSON.parse(status.stdout)).toBeTypeOf("object")

      for (const r of [dump, send, heartbeat, info, rules, status]) expect(`${r.stdout}${r.stderr}`).not.toContain(TOKEN)
    } finally {
      rmSync(sensor.root, { recursive: true, force: true })
    }
  }, 120_000)

  it("the launcher starts every command plainly: send-events delivers under its own lock, nothing new is silent, odd flags are usage errors", async () => {
    // The launcher as install.sh writes it, for the release where it was unpacked.
    const launcher = join(dir, "launcher")
    writeFileSync(launcher, readFileSync(join(top, "launcher.sh"), "utf8").replaceAll("@LIB@", top))
    const launch = (...args: ReadonlyArray<string>) => run("/bin/sh", [launcher, ...args], dir, 60_000)
    const sensor = await sensorTree(TOKEN)
    try {
      const root = ["--root", sensor.root]
      const plain = await agent("dump", ...root, "--since", "all", "--parsed")
      const count = plain.stdout.trim().split("\n").length
      const summary = new RegExp(`^emergingthreats: send-events: ${count} sent, 0 rejected, `, "m")

      // The run's lock names this run (its pid, this host), or a second run would take it as debris.
      const holder = await lockSeenBy(launcher, [...root, "--direct"], join(dirname(sensor.paths.state), "send-events.lock"))
      expect(holder.code, holder.stderr).toBe(0)
      expect(holder.stderr).toMatch(summary)
      expect(holder.lock).toMatchObject({ pid: holder.pid, host: hostname() })

      // Nothing new: exit 0, nothing said; a fresh checkpoint: everything again.
      const again = await launch("send-events", ...root, "--base-url", url, "--direct")
      expect(again.code, again.stderr).toBe(0)
      expect(again.stderr).toBe("")
      rmSync(sensor.paths.state)
      const resent = await launch("send-events", ...root, "--base-url", url, "--direct")
      expect(resent.code, resent.stderr).toBe(0)
      expect(resent.stderr).toMatch(summary)

      const bad = await launch("send-events", ...root, "--bogus")
      expect(bad.code).toBe(2)
      expect(bad.stderr).toMatch(/^emergingthreats: send-events: .*--bogus/)
      const help = await launch("send-events", "--help")
      expect(help.code, help.stderr).toBe(0)
      expect(help.stdout).toContain("send-events")

      // dump through the launcher (its own V8 heap settings) prints what the plain start prints.
      const dumped = await launch("dump", ...root, "--since", "all", "--parsed")
      expect(dumped.code, dumped.stderr).toBe(0)
      expect(dumped.stdout).toBe(plain.stdout)

      const version = await launch("--version")
      expect(version.stdout.trim()).toBe("0.1.0")
      // Nothing is made beside the bundle at run time.
      expect(readdirSync(join(top, "dist"))).toEqual(["bin.js"])
      for (const r of [again, resent, bad, help, dumped]) expect(`${r.stdout}${r.stderr}`).not.toContain(TOKEN)
      expect(holder.stderr).not.toContain(TOKEN)
    } finally {
      rmSync(sensor.root, { recursive: true, force: true })
    }
  }, 180_000)

  it("`service`, `demo` and `replay` without better-sqlite3 say so in one line and exit 1", async () => {
    const log = join(import.meta.dirname, "../../fixtures/sample/eve.json")
    const commands = [["service", "--listen", "127.0.0.1:0", "--token", TOKEN], ["demo"], ["replay", "--log", log, "--instant"]]
    for (const [r, command] of (await Promise.all(commands.map((c) => agent(...c)))).map((r, i) => [r, commands[i]![0]] as const)) {
      expect(r.code, command).toBe(1)
      expect(r.stderr).toMatch(new RegExp(`^emergingthreats: ${command}: better-sqlite3 is not installed \\(.*\\n$`))
      expect(r.stdout).toBe("")
    }
  }, 60_000)
})
