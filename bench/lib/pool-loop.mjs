// The cron run's floor: what posting its 100 bodies costs with nothing of the agent. Plain Node, undici's Pool
// module alone (as send-events loads it, with the same --liftoff-only), 4 requests in flight through a raw
// dispatch handler, each answer read to its end. No Effect, no sanitiser, no state, no snapshot.
//   node bench/lib/pool-loop.mjs URL BODIES
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { setFlagsFromString } from "node:v8"

setFlagsFromString("--liftoff-only")
const Pool = createRequire(import.meta.url)("undici/lib/dispatcher/pool.js")
const [url, file] = process.argv.slice(2)
const bodies = readFileSync(file, "utf8").split("\n").filter((l) => l !== "")
const pool = new Pool(url, { connections: 4 })
const headers = { "content-type": "application/json", authorization: "Bearer bench-token" }
let next = 0
let failed = 0
const post = (body) =>
  new Promise((resolve) =>
    pool.dispatch({ path: "/api/v1/event", method: "POST", headers, body }, {
      onRequestStart() {},
      onResponseStart(_c, status) {
        if (status !== 201) failed++
      },
      onResponseData() {},
      onResponseEnd: resolve,
      onResponseError() {
        failed++
        resolve()
      }
    })
  )
const worker = async () => {
  while (next < bodies.length) await post(bodies[next++])
}
await Promise.all([worker(), worker(), worker(), worker()])
await pool.close()
process.stderr.write(`pool loop: ${bodies.length} sent, ${failed} failed\n`)
process.exitCode = failed > 0 ? 1 : 0
