/**
 * End to end: the real CLI (from source) against the reference service, on a fixture sensor tree:
 * send-heartbeat, sensor-info and status with their output shapes and exit codes (SPEC sections 6, 7, 11).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { mkdir, rm, writeFile } from "node:fs/promises"
import { dirname } from "node:path"
import { HEARTBEAT_KEYS } from "../../src/domain/Heartbeat.js"
import { setTokenInText } from "../../src/domain/TokenSource.js"
import { emptyTree, type SensorTree, sensorTree } from "../support/SensorTree.js"
import { admin, runCli, type ServiceChild, startServiceChild } from "./support.js"

const TOKEN = "e2e-heartbeat-token-0123456789"
let svc: ServiceChild
let tree: SensorTree

beforeAll(async () => {
  ;[svc, tree] = await Promise.all([
    startServiceChild(["--listen", "127.0.0.1:0", "--token", TOKEN, "--admin-key", "e2e-admin"]),
    sensorTree({ mode: "IPS" })
  ])
  await writeFile(tree.paths.ruleUpdaterConfig, setTokenInText("", TOKEN), { mode: 0o600 })
}, 90_000)

afterAll(async () => {
  await svc?.stop()
  await tree?.cleanup()
})

const cli = (...args: Array<string>) => runCli([...args, "--root", tree.root])

describe("send-heartbeat / sensor-info / status, end to end", () => {
  it("a registered sensor without a heartbeat is DORMANT; after send-heartbeat --direct the service has it", async () => {
    const before = await cli("sensor-info", "--base-url", svc.url)
    expect(before.code).toBe(0)
    const info = JSON.parse(before.stdout) as Record<string, unknown>
    expect(before.stdout.trimEnd().split("\n")).toHaveLength(1)
    expect(info.status).toBe("ok")
    expect(info.sensor_status).toBe("dormant")
    expect(info.last_heartbeat).toBeNull()

    const sent = await cli("send-heartbeat", "--direct", "--base-url", svc.url)
    expect(sent.code).toBe(0)
    expect(sent.stderr).toMatch(/emergingthreats: send-heartbeat: heartbeat accepted/)

    const heartbeats = await admin(svc, "/admin/heartbeats", "e2e-admin")
    const list = heartbeats as Array<{ body: Record<string, unknown> }>
    expect(list).toHaveLength(1)
    const body = list[0]!.body
    for (const k of HEARTBEAT_KEYS) expect(body).toHaveProperty(k)
    expect(body.mode).toBe("IPS")
    expect(body.software_version).toBe("24.7.5")

    const after = JSON.parse((await cli("sensor-info", "--base-url", svc.url)).stdout) as Record<string, unknown>
    expect(typeof after.last_heartbeat).toBe("string")

    const status = await cli("status", "--json", "--base-url", svc.url)
    expect(status.code).toBe(0)
    const view = JSON.parse(status.stdout) as { status: string; agent: { lastHeartbeat: { ok: boolean } | null } }
    expect(["ACTIVE", "DORMANT"]).toContain(view.status)
    expect(view.agent.lastHeartbeat?.ok).toBe(true)
  }, 120_000)

  it("a bare sensor (no Suricata, no files): the stock plugin's values reach the service, which flags nothing", async () => {
    const bare = await emptyTree()
    try {
      const token = "e2e-heartbeat-bare-sensor-0123"
      const reg = await fetch(`${svc.url}/admin/tokens`, {
        method: "POST",
        headers: { "x-admin-key": "e2e-admin", "content-type": "application/json" },
        body: JSON.stringify({ token, name: "bare" })
      })
      const { sensor_id } = (await reg.json()) as { sensor_id: string }
      await mkdir(dirname(bare.paths.ruleUpdaterConfig), { recursive: true })
      await writeFile(bare.paths.ruleUpdaterConfig, setTokenInText("", token), { mode: 0o600 })
      const sent = await runCli(["send-heartbeat", "--direct", "--base-url", svc.url, "--root", bare.root])
      expect(sent.code).toBe(0)
      expect(sent.stderr).toMatch(/heartbeat accepted by .*; 8 facts missing or odd/)
      const list = (await admin(svc, `/admin/heartbeats?sensor=${sensor_id}`, "e2e-admin")) as Array<{ body: Record<string, unknown> }>
      expect(list).toHaveLength(1)
      const { system_time, ...rest } = list[0]!.body
      expect(typeof system_time).toBe("number")
      expect(rest).toEqual({
        software_version: "NOTFOUND",
        suricata_version: "NOTFOUND",
        suricata_status: "NOTFOUND",
        ruleset_version: null,
        total_enabled_rules: 0,
        total_enabled_telemetry_rules: 0,
        mode: "IDS",
        log_stats: {}
      })
      const violations = (await admin(svc, "/admin/violations", "e2e-admin")) as { count: number }
      expect(violations.count).toBe(0)
      const sensors = (await admin(svc, "/admin/sensors", "e2e-admin")) as Array<{ name: string; privacy_violations: number }>
      expect(sensors.find((x) => x.name === "bare")?.privacy_violations).toBe(0)
    } finally {
      await bare.cleanup()
    }
  }, 120_000)

  it("exit codes: a refused token is 3, no token 2 (sensor-info says unconfigured), --print needs none", async () => {
    const other = await sensorTree()
    try {
      const otherCli = (...args: Array<string>) => runCli([...args, "--root", other.root])
      await writeFile(other.paths.ruleUpdaterConfig, setTokenInText("", "not-a-registered-token-000"), { mode: 0o600 })
      const [refused, print] = await Promise.all([
        otherCli("send-heartbeat", "--direct", "--base-url", svc.url),
        otherCli("send-heartbeat", "--print")
      ])
      expect(refused.code).toBe(3)
      expect(refused.stderr).toMatch(/^emergingthreats: send-heartbeat: the service refused the token/)
      expect(refused.stderr).not.toContain("not-a-registered-token-000")
      expect(print.code).toBe(0)
      expect(Object.keys(JSON.parse(print.stdout)).sort()).toEqual([...HEARTBEAT_KEYS].sort())

      await rm(other.paths.ruleUpdaterConfig)
      const [unconfigured, noToken] = await Promise.all([
        otherCli("sensor-info", "--base-url", svc.url),
        otherCli("send-heartbeat", "--direct", "--base-url", svc.url)
      ])
      expect(unconfigured.stdout).toBe('{"status":"unconfigured"}\n')
      expect(unconfigured.code).toBe(2)
      expect(noToken.code).toBe(2)
      expect(noToken.stderr).toContain(other.paths.ruleUpdaterConfig)
    } finally {
      await other.cleanup()
    }
  }, 120_000)
})
