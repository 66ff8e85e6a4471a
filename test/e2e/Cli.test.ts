/**
 * The agent CLI as child processes against `service` (another child) over real loopback HTTP: what an
 * operator runs, end to end. Also `service --db` across a restart, `replay` twice, and the demo.
 */
import { afterAll, describe, expect, it } from "vitest"
import { spawn } from "node:child_process"
import { access, mkdtemp, readFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { admin, CLI, REPO, runCli, type ServiceChild, sensorTree, startServiceChild } from "./support.js"

const TOKEN = "e2e-token-7f3a"
const running: Array<ServiceChild> = []
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()))
})
const service = async (args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  const s = await startServiceChild(args, env)
  running.push(s)
  return s
}

/** What send-events should select from a log, worked out here: listed alerts with a well-formed timestamp. */
const expectedSelected = (eve: string, sids: ReadonlySet<number>) =>
  eve.split("\n").filter((line) => {
    try {
      const r = JSON.parse(line)
      return r.event_type === "alert" && sids.has(r.alert?.signature_id) && /^\d{4}-\d\d-\d\dT[\d:.]+[+-]\d{4}$/.test(r.timestamp)
    } catch {
      return false
    }
  }).length

describe("agent CLI against the reference service", () => {
  it("rules update, send-events, send-heartbeat and sensor-info: every selected event arrives once, masked", async () => {
    const svc = await service(["--listen", "127.0.0.1:0", "--token", TOKEN])
    const tree = await sensorTree(TOKEN)
    const at = ["--root", tree.root, "--base-url", svc.url]

    const rules = await runCli(["rules", "update", ...at])
    expect(rules.code, rules.stderr).toBe(0)
    const sids = new Set(
      (await readFile(tree.paths.telemetrySids, "utf8")).split("\n").filter((l) => /^\d+$/.test(l)).map(Number)
    )
    const expected = expectedSelected(tree.eve, sids)
    expect(expected).toBeGreaterThan(50)

    const send = await runCli(["send-events", "--direct", ...at])
    expect(send.code, send.stderr).toBe(0)
    expect(send.stderr).toContain(`${expected} sent`)
    const hb = await runCli(["send-heartbeat", "--direct", ...at])
    expect(hb.code, hb.stderr).toBe(0)

    const stats = await admin(svc, "/admin/stats")
    expect(stats).toMatchObject({ events: expected, heartbeats: 1, violations: 0 })

    // A second run finds nothing new: nothing is sent twice.
    const again = await runCli(["send-events", "--direct", ...at])
    expect(again.code, again.stderr).toBe(0)
    expect((await admin(svc, "/admin/stats")).events).toBe(expected)

    const info = await runCli(["sensor-info", ...at])
    expect(info.code, info.stderr).toBe(0)
    const answer = JSON.parse(info.stdout)
    expect(answer).toMatchObject({ status: "ok", sensor_status: "active", ruleset: "ET Pro" })
    expect(answer.last_rule_download).not.toBeNull()

    for (const r of [rules, send, hb, info]) expect(r.stdout + r.stderr).not.toContain(TOKEN)
    expect(svc.output().stdout + svc.output().stderr).not.toContain(TOKEN)
  }, 120_000)

  it("a token the service does not know (in the agent's own token file): send-events exits 3 and names that file", async () => {
    const svc = await service(["--listen", "127.0.0.1:0", "--token", "some-other-token"])
    const tree = await sensorTree(TOKEN, undefined, "file")
    const r = await runCli(["send-events", "--direct", "--root", tree.root, "--base-url", svc.url])
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/^emergingthreats: send-events: .*refused/m)
    expect(r.stderr).toContain(tree.paths.tokenFile)
    expect(r.stderr).not.toContain(TOKEN)
    expect((await admin(svc, "/admin/stats")).events).toBe(0)
  }, 60_000)
})

describe("service command", () => {
  it("keeps sensors and heartbeats in --db FILE across a restart; admin key from the environment", async () => {
    const dir = await mkdtemp(join(tmpdir(), "e2e-db-"))
    const db = join(dir, "service.db")
    const env = { ETPRO_SERVICE_ADMIN_KEY: "env-admin-key" }
    const first = await service(["--listen", "127.0.0.1:0", "--db", db], env)
    expect(first.adminKey).toBeUndefined()
    const reg = await fetch(`${first.url}/admin/tokens`, {
      method: "POST",
      headers: { "x-admin-key": "env-admin-key", "content-type": "application/json" },
      body: JSON.stringify({ token: TOKEN, name: "fw-1" })
    })
    expect(reg.status).toBe(201)
    const hb = await fetch(`${first.url}/api/v1/telemetry`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: "{}"
    })
    expect(hb.status).toBe(201)
    expect(await first.stop()).toBe(0)
    expect(first.output().stderr).toMatch(/stopping; 1 sensors, 0 events, 1 heartbeats/)

    const second = await service(["--listen", "127.0.0.1:0", "--db", db], env)
    const sensors = await admin(second, "/admin/sensors", "env-admin-key")
    expect(sensors).toHaveLength(1)
    expect(sensors[0]).toMatchObject({ name: "fw-1", heartbeats_received: 1 })
  }, 60_000)

  it("refuses a --listen that is not HOST:PORT with exit code 2", async () => {
    const r = await runCli(["service", "--listen", "nowhere"])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^emergingthreats: service: --listen "nowhere" is not HOST:PORT/m)
  }, 30_000)
})

describe("replay and demo commands", () => {
  it("replay prints the same timeline and totals twice", async () => {
    const log = join(REPO, "fixtures/sample/eve-silence.json")
    const a = await runCli(["replay", "--log", log, "--instant"])
    const b = await runCli(["replay", "--log", log, "--instant"])
    expect(a.code, a.stderr).toBe(0)
    expect(a.stdout).toBe(b.stdout)
    expect(a.stdout).toMatch(/ACTIVE → DORMANT[\s\S]*DORMANT → DISABLED[\s\S]*DISABLED → ACTIVE/)
  }, 90_000)

  it("demo (npm start) runs the whole loop and ends ACTIVE with nothing leaked", async () => {
    const r = await runCli(["demo"], {}, 90_000)
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(r.stdout).toMatch(/status\s+ACTIVE/)
    expect(r.stdout).toMatch(/privacy check found 0 violation\(s\) in [1-9]\d* events/)
    expect(r.stdout).toContain("license status at the service: ACTIVE")
    expect(r.stdout).not.toContain("not in this build yet")
  }, 120_000)

  it("demo --serve keeps the service and the status page up until SIGINT, then cleans up", async () => {
    const child = spawn(CLI[0]!, [...CLI.slice(1), "demo", "--serve"], { cwd: REPO })
    let out = ""
    child.stdout.on("data", (c: Buffer) => void (out += c))
    child.stderr.on("data", (c: Buffer) => void (out += c))
    const exited = new Promise<number>((r) => child.on("close", (code) => r(code ?? -1)))
    try {
      for (let i = 0; i < 1200 && !/telemetry service\s+http/.test(out); i++) await new Promise((r) => setTimeout(r, 100))
      const page = /status page\s+(http\S+)/.exec(out)?.[1]
      const service = /telemetry service\s+(http\S+)/.exec(out)?.[1]
      const key = /X-Admin-Key: (\w+)/.exec(out)?.[1]
      expect(page, out).toBeDefined()
      const status = await (await fetch(new URL("/api/status", page))).json()
      expect(status.status).toBe("ACTIVE")
      const sensors = await (await fetch(`${service}/admin/sensors`, { headers: { "x-admin-key": key! } })).json()
      expect(sensors[0].sensor_status).toBe("active")
      const root = /sensor tree\s+(\S+)/.exec(out)![1]!
      child.kill("SIGINT")
      expect(await exited).toBe(0)
      await expect(access(root)).rejects.toThrow()
      await expect(fetch(page!)).rejects.toThrow()
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL")
    }
  }, 180_000) // the demo runs every command as a child process (~20 s idle, more on a loaded 2-core machine)
})
