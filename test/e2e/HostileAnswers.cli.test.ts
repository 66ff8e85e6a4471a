/**
 * Issue 24 row 9: service answers are decoded, not trusted. A loopback service (the reference API's routes,
 * src/reference/Api.ts, with hostile bodies) answers /sensorinfo 50,000 levels deep or with 40,000 unknown
 * keys, and a ruleset version that is a path. The built CLI says "answer not understood", never "internal
 * error", and state.json and the printout hold only the known fields.
 */
import { readFile, writeFile } from "node:fs/promises"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { setTokenInText } from "../../src/domain/TokenSource.js"
import { ensureBuilt, runBuilt } from "../support/BuiltCli.js"
import { type SensorTree, sensorTree } from "../support/SensorTree.js"

const DEEP = `{"sensor_status":${"[".repeat(50_000)}${"]".repeat(50_000)}}`
const WIDE = JSON.stringify({
  sensor_status: "active",
  created: "2026-01-01T00:00:00Z",
  event_received: "2026-01-01T00:00:00Z",
  last_heartbeat: "2026-01-01T00:00:00Z",
  // a known field of the wrong type is left out, not trusted
  events_received: "many",
  ...Object.fromEntries(Array.from({ length: 40_000 }, (_, i) => [`junk${i}`, "x"]))
})

let server: Server
let url: string
let tree: SensorTree
let answer = DEEP

beforeAll(async () => {
  await ensureBuilt()
  server = createServer((req, res) => {
    req.resume()
    req.on("end", () => {
      if (req.url === "/api/v1/sensorinfo") return res.writeHead(200, { "content-type": "application/json" }).end(answer)
      if (req.url === "/api/v1/ruleset/version") return res.writeHead(200, { "content-type": "application/json" }).end('{"version":"../../../etc/x"}')
      res.writeHead(404).end()
    })
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  tree = await sensorTree({ mode: "IDS" })
  await writeFile(tree.paths.ruleUpdaterConfig, setTokenInText("", "hostile-answer-token-01"), { mode: 0o600 })
}, 90_000)

afterAll(async () => {
  server?.closeAllConnections()
  await new Promise<void>((r) => (server === undefined ? r() : server.close(() => r())))
  await tree?.cleanup()
})

const cli = (...args: Array<string>) => runBuilt([...args, "--root", tree.root, "--base-url", url], 60_000)

describe("hostile service answers (issue 24 row 9)", () => {
  it("50,000-deep /sensorinfo: 'answer not understood (nested deeper than 32)', no internal error (sensor-info, status)", async () => {
    answer = DEEP
    const r = await cli("sensor-info")
    expect(r.code).toBe(1)
    expect(JSON.parse(r.stdout)).toEqual({ status: "failed", response: "answer not understood (nested deeper than 32)" })
    expect(r.stdout + r.stderr).not.toMatch(/internal error|RangeError/)
    const s = await cli("status", "--json")
    expect(s.code).toBe(0)
    expect(s.stdout + s.stderr).not.toMatch(/internal error|RangeError/)
    // An answer that is not the API's counts as the service unreachable (README "status"), saying why.
    expect(JSON.parse(s.stdout)).toMatchObject({ status: "unreachable", reason: "answer not understood (nested deeper than 32)" })
  }, 90_000)

  it("40,000 unknown keys: printed and stored are the known fields alone", async () => {
    answer = WIDE
    const r = await cli("sensor-info")
    expect(r.code).toBe(0)
    const printed = JSON.parse(r.stdout) as Record<string, unknown>
    expect(Object.keys(printed).sort()).toEqual(["created", "event_received", "last_heartbeat", "sensor_status", "status"])
    const state = await readFile(tree.paths.state, "utf8")
    expect(state).not.toContain("junk")
    expect(state.length).toBeLessThan(4096)
  }, 90_000)

  it("a ruleset version that is a path is not understood; nothing is downloaded", async () => {
    const r = await cli("rules", "update")
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/ruleset version failed: answer not understood \(ruleset version "..\/..\/..\/etc\/x" is not a version\)/)
    expect(r.stderr).not.toMatch(/internal error/)
  }, 90_000)
})
