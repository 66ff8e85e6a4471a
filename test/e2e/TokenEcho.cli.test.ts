/**
 * Issue 15 row 12: a service that echoes the token in everything it answers. Every command (from the
 * sources) prints, stores and serves what it was told with the token scrubbed: stdout, stderr, state.json,
 * `status --json` and the status page's `/api/status`.
 */
import { spawn } from "node:child_process"
import { mkdir, readFile, writeFile } from "node:fs/promises"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { setTokenInText } from "../../src/domain/TokenSource.js"
import { alertLine, range } from "../support/SendHarness.js"
import { type SensorTree, sensorTree } from "../support/SensorTree.js"
import { CLI, REPO, runCli } from "./support.js"

const TOKEN = "echoed-Token-0123456789abcdef"
let server: Server
let url: string
let tree: SensorTree

beforeAll(async () => {
  // Everything it says repeats the Authorization header it got.
  server = createServer((req, res) => {
    req.resume()
    req.on("end", () => {
      const auth = req.headers.authorization ?? ""
      const said = `unknown sensor for ${auth} (token ${auth.replace("Bearer ", "")})`
      const json = (status: number, body: unknown) =>
        res.writeHead(status, { "content-type": "application/json", "x-echo": auth }).end(JSON.stringify(body))
      if (req.url === "/api/v1/sensorinfo") {
        return json(200, {
          sensor_status: "active",
          created: "2026-01-01T00:00:00Z",
          event_received: "2026-01-01T00:00:00Z",
          last_heartbeat: "2026-01-01T00:00:00Z",
          // A known field carries the echo (unknown ones are dropped since issue 24 row 9).
          sensor_id: said,
          note: said,
          [auth]: [said]
        })
      }
      if (req.url === "/api/v1/ruleset/version") return json(200, { version: "42" })
      // The "archive" is the token itself, then text: the rules update's preview must not quote it.
      if (req.url === "/api/v1/ruleset/engine/suricata/5") {
        return res.writeHead(200, { "content-type": "text/plain" }).end(`${auth.replace("Bearer ", "")} is not allowed here`)
      }
      if (req.url === "/api/v1/event") return json(422, { error: said })
      if (req.url === "/api/v1/telemetry") return json(400, { error: said })
      res.writeHead(404).end(said)
    })
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  tree = await sensorTree({ mode: "IDS" })
  await writeFile(tree.paths.ruleUpdaterConfig, setTokenInText("", TOKEN), { mode: 0o600 })
  await mkdir(tree.paths.logDir, { recursive: true })
  await writeFile(join(tree.paths.logDir, "eve.json"), range(1, 3).map((i) => alertLine(i)).join(""))
}, 90_000)

afterAll(async () => {
  server?.closeAllConnections()
  await new Promise<void>((r) => (server === undefined ? r() : server.close(() => r())))
  await tree?.cleanup()
})

const cli = (...args: Array<string>) => runCli([...args, "--root", tree.root, "--base-url", url])

/** Starts `status --serve`, fetches `/api/status`, stops it. */
const served = () =>
  new Promise<string>((done, fail) => {
    const child = spawn(CLI[0]!, [...CLI.slice(1), "status", "--serve", "127.0.0.1:0", "--root", tree.root, "--base-url", url], {
      cwd: REPO
    })
    let out = ""
    const timer = setTimeout(() => (child.kill("SIGKILL"), fail(new Error(`no listening line: ${out}`))), 45_000)
    child.stdout.on("data", async (c: Buffer) => {
      out += c
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (m === null) return
      child.stdout.removeAllListeners("data")
      try {
        const r = await fetch(`${m[1]}/api/status`)
        done(await r.text())
      } catch (e) {
        fail(e)
      } finally {
        clearTimeout(timer)
        child.kill("SIGTERM")
      }
    })
  })

describe("a service that echoes the token", () => {
  it("nothing of it is printed, stored or served by any command", async () => {
    const runs = [
      await cli("sensor-info"),
      await cli("send-heartbeat", "--direct"),
      await cli("send-events", "--direct"),
      await cli("rules", "update"),
      await cli("status", "--json")
    ]
    const [info, heartbeat, events, rules, status] = runs
    // Each did its work and said so (the checks below would pass trivially on silence).
    expect(JSON.parse(info!.stdout)).toMatchObject({ status: "ok", sensor_status: "active" })
    expect(info!.stdout).toContain("***")
    expect(heartbeat!.stderr).toMatch(/heartbeat not delivered: HTTP 400/)
    expect(events!.stderr).toMatch(/event rejected: .*HTTP 422/)
    expect(rules!.stderr).toMatch(/not a gzip archive/)
    expect(JSON.parse(status!.stdout)).toBeTypeOf("object")
    for (const r of runs) {
      expect(r.stdout + r.stderr).not.toContain(TOKEN)
      // Not even its start, cut off in a preview.
      expect(r.stdout + r.stderr).not.toContain(TOKEN.slice(0, 12))
    }
    const state = await readFile(tree.paths.state, "utf8")
    expect(state).toContain("***")
    expect(state).not.toContain(TOKEN)
    expect(state).not.toContain(TOKEN.slice(0, 12))
    const api = await served()
    expect(api).toContain("sensor")
    expect(api).not.toContain(TOKEN)
  }, 180_000)
})
