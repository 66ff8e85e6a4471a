/**
 * End to end: the real CLI (from source) against the reference service, on a fixture sensor tree:
 * send-heartbeat, sensor-info and status with their output shapes and exit codes (SPEC sections 6, 7, 11).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { rm, writeFile } from "node:fs/promises"
import { HEARTBEAT_KEYS } from "../../src/domain/Heartbeat.js"
import { setTokenInText } from "../../src/domain/TokenSource.js"
import { type SensorTree, sensorTree } from "../support/SensorTree.js"
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
