/**
 * The release tarball as an administrator gets it: unpacked where there is no node_modules, every agent
 * command run with only `node`, against the reference service started from this repository's build.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { readdirSync, rmSync, statSync } from "node:fs"
import { join, relative } from "node:path"
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

describe("the release tarball", () => {
  it("holds one bundle, bin/, the service and plugin files, a README and install.sh, and no node_modules or native addon", () => {
    const all = files(top)
    for (const f of [
      "dist/bin.js",
      "bin/etpro-telemetry",
      "install.sh",
      "README",
      "INSTALL.md",
      "package.json",
      "contrib/rc.d/etpro_telemetry",
      "contrib/systemd/etpro-telemetry.service",
      "contrib/opnsense/src/etc/cron.d/etpro-telemetry.cron",
      "contrib/opnsense/src/opnsense/service/conf/actions.d/actions_etpro_telemetry.conf",
      "contrib/opnsense/src/opnsense/scripts/suricata/metadata/rules/et-telemetry.xml",
      "contrib/opnsense/src/opnsense/mvc/app/controllers/OPNsense/Diagnostics/Api/ProofpointEtController.php",
      "contrib/opnsense/src/opnsense/www/js/widgets/ETProTelemetry.js",
      "contrib/opnsense/src/opnsense/www/js/widgets/Metadata/etpro-telemetry.xml"
    ]) expect(all).toContain(f)
    expect(all.filter((f) => f.startsWith("dist/"))).toEqual(["dist/bin.js"])
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
