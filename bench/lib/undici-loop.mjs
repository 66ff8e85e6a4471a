// Baseline for the backlog: a bare undici loop that POSTs every line of BODIES (one JSON body a line, the
// bodies send-events would send) to URL/api/v1/event with 4 requests in flight on an undici Pool, reads every
// answer's body and checks for 201. Plain Node and undici, nothing of the agent.
//   node bench/lib/undici-loop.mjs URL BODIES
import { readFileSync } from "node:fs"
import { Pool } from "undici"

const [url, file] = process.argv.slice(2)
const bodies = readFileSync(file, "utf8").split("\n").filter((l) => l !== "")
const pool = new Pool(url, { connections: 4 })
const headers = { "content-type": "application/json", authorization: "Bearer bench-token" }
let next = 0
let failed = 0
const worker = async () => {
  while (next < bodies.length) {
    const body = bodies[next++]
    const res = await pool.request({ path: "/api/v1/event", method: "POST", headers, body, headersTimeout: 5000, bodyTimeout: 5000 })
    await res.body.text()
    if (res.statusCode !== 201) failed++
  }
}
await Promise.all([worker(), worker(), worker(), worker()])
await pool.close()
process.stderr.write(`undici loop: ${bodies.length} sent, ${failed} failed\n`)
process.exitCode = failed > 0 ? 1 : 0
