/**
 * Issue 24 row 1: a service whose answers hold terminal escapes (`ESC[2J`, `ESC]0;…BEL`, U+009B CSI) and
 * bidi controls (U+202E, the U+2066–2069 isolates, zero-width U+200B). Every command of the built CLI shows
 * and logs them made printable (src/domain/Printable.ts): `?` in text, `\uXXXX` in JSON, which still reads
 * back as the service's text. The loopback server answers as the reference API does (src/reference/Api.ts),
 * only with that text in its fields and error bodies.
 */
import { mkdir, writeFile } from "node:fs/promises"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { setTokenInText } from "../../src/domain/TokenSource.js"
import { ensureBuilt, runBuilt } from "../support/BuiltCli.js"
import { alertLine, range } from "../support/SendHarness.js"
import { type SensorTree, sensorTree } from "../support/SensorTree.js"

const HOSTILE = "\x1b[2J\x1b]0;owned\x07\u009b31m\u202eevil\u2066x\u2069\u200bend"
// What must never reach a terminal raw (newline and tab apart).
const RAW = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/

let server: Server
let url: string
let tree: SensorTree

beforeAll(async () => {
  await ensureBuilt()
  server = createServer((req, res) => {
    req.resume()
    req.on("end", () => {
      const json = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body))
      if (req.url === "/api/v1/sensorinfo") {
        return json(200, {
          sensor_status: HOSTILE,
          created: "2026-01-01T00:00:00Z",
          event_received: "2026-01-01T00:00:00Z",
          last_heartbeat: "2026-01-01T00:00:00Z",
          ruleset: HOSTILE
        })
      }
      // The raw body, not JSON-escaped: what a careless service would send.
      if (req.url === "/api/v1/event") return res.writeHead(422, { "content-type": "text/plain" }).end(`bad event ${HOSTILE}`)
      if (req.url === "/api/v1/telemetry") return res.writeHead(500, { "content-type": "text/plain" }).end(HOSTILE)
      res.writeHead(404).end(HOSTILE)
    })
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  tree = await sensorTree({ mode: "IDS" })
  await writeFile(tree.paths.ruleUpdaterConfig, setTokenInText("", "hostile-text-token-0123"), { mode: 0o600 })
  await mkdir(tree.paths.logDir, { recursive: true })
  await writeFile(join(tree.paths.logDir, "eve.json"), range(1, 3).map((i) => alertLine(i)).join(""))
}, 90_000)

afterAll(async () => {
  server?.closeAllConnections()
  await new Promise<void>((r) => (server === undefined ? r() : server.close(() => r())))
  await tree?.cleanup()
})

const cli = (...args: Array<string>) => runBuilt([...args, "--root", tree.root, "--base-url", url], 60_000)

describe("hostile text from the service (issue 24 row 1)", () => {
  it("send-events: every 'event rejected' line is printable", async () => {
    const r = await cli("send-events", "--direct")
    expect(r.stderr).toMatch(/event rejected: .*HTTP 422.*bad event \?\[2J\?\]0;owned\?\?31m\?evil\?x\?\?end/)
    expect(r.stdout + r.stderr).not.toMatch(RAW)
  }, 60_000)

  it("sensor-info: JSON escapes, reading back as the service's text", async () => {
    const r = await cli("sensor-info")
    expect(r.stdout).not.toMatch(RAW)
    expect(r.stdout).toContain("\\u202e")
    const printed = JSON.parse(r.stdout) as Record<string, unknown>
    expect(printed["ruleset"]).toBe(HOSTILE)
    expect(r.stderr).not.toMatch(RAW)
  }, 60_000)

  it("status (table and --json) and status --check: no raw control or bidi character", async () => {
    const table = await cli("status")
    expect(table.stdout).toMatch(/sensor_status/)
    expect(table.stdout + table.stderr).not.toMatch(RAW)
    const json = await cli("status", "--json")
    expect(json.stdout).not.toMatch(RAW)
    // The view model holds printable text: the page built from it shows no override either.
    expect(JSON.stringify(JSON.parse(json.stdout))).not.toMatch(RAW)
    const check = await cli("status", "--check")
    expect(check.stdout + check.stderr).not.toMatch(RAW)
  }, 90_000)

  it("send-heartbeat: the failure line quoting the 500 body is printable", async () => {
    const r = await cli("send-heartbeat", "--direct", "--print")
    expect(r.stdout + r.stderr).not.toMatch(RAW)
  }, 60_000)
})
