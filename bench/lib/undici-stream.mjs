// Baseline for send-events' peak memory on a backlog (issue 24): a bare undici loop that reads BODIES (one JSON
// body a line, the bodies send-events would send) as a stream and POSTs each to URL/api/v1/event, 4 in flight on
// an undici Pool, reading every answer. Memory stays flat with the backlog: only a read buffer and the requests
// in flight are held. Plain Node and undici, nothing of the agent.
//   node [flags] bench/lib/undici-stream.mjs URL BODIES
import { createReadStream } from "node:fs"
import { createInterface } from "node:readline"
import { Pool } from "undici"
import { headers } from "./post-loop.mjs"

const [url, file] = process.argv.slice(2)
const pool = new Pool(url, { connections: 4 })
const inFlight = new Set()
let sent = 0
let failed = 0
const post = async (body) => {
  const res = await pool.request({ path: "/api/v1/event", method: "POST", headers, body, headersTimeout: 5000, bodyTimeout: 5000 })
  await res.body.text()
  if (res.statusCode === 201) sent++
  else failed++
}
for await (const body of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
  if (body === "") continue
  const p = post(body).finally(() => inFlight.delete(p))
  inFlight.add(p)
  if (inFlight.size >= 4) await Promise.race(inFlight)
}
await Promise.all(inFlight)
await pool.close()
process.stderr.write(`undici stream: ${sent} sent, ${failed} failed\n`)
process.exitCode = failed > 0 ? 1 : 0
