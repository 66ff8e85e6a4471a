/**
 * The examples run: examples/serverless-handler.ts answers as the core does, and examples/node-server.ts
 * serves it over real HTTP on a loopback port (the body streamed through, 413 for too large a body).
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { eveHandler } from "etpro-telemetry/core"
import { readFileSync } from "node:fs"
import type { Server } from "node:http"
import { join } from "node:path"
import { serve } from "../../examples/node-server.js"
import app from "../../examples/serverless-handler.js"
import { REPO } from "../support/BuiltCli.js"

const FIXTURE = readFileSync(join(REPO, "fixtures/sample/eve.json"))
const ndjson = { "content-type": "application/x-ndjson" }

let server: Server
let base: string
beforeAll(async () => {
  server = serve(app.fetch, 0)
  await new Promise((ok) => server.once("listening", ok))
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`
})
afterAll(async () => {
  await new Promise((ok) => server.close(ok))
})

describe("examples/", () => {
  it("the serverless handler answers as the core's handler with the same options", async () => {
    const mine = eveHandler({ homeNet: ["10.0.0.0/8", "192.168.0.0/16", "172.16.0.0/12", "fd00::/8"] })
    const req = () => new Request("https://collector.example/eve", { method: "POST", headers: ndjson, body: FIXTURE })
    const [a, b] = await Promise.all([app.fetch(req()), mine(req())])
    expect(a.status).toBe(200)
    expect(await a.text()).toBe(await b.text())
    expect((await app.fetch(new Request("https://collector.example/other"))).status).toBe(404)
  })

  it("the node:http adapter serves it: events and the summary over HTTP, 413 for a body over its cap", async () => {
    const r = await fetch(`${base}/eve`, { method: "POST", headers: ndjson, body: FIXTURE })
    expect(r.status).toBe(200)
    expect(Number(r.headers.get("x-etpro-events"))).toBeGreaterThan(50)
    expect((await r.text()).trimEnd().split("\n")).toHaveLength(Number(r.headers.get("x-etpro-events")))
    const big = await fetch(`${base}/eve`, { method: "POST", headers: ndjson, body: new Uint8Array(5 * 1024 * 1024).fill(32) })
    expect(big.status).toBe(413)
    expect(((await big.json()) as { error: string }).error).toBe("body-too-large")
  })
})
