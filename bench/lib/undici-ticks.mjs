// Baseline for the daemon's memory: a bare undici process that POSTs 100 bodies every TICK_MS, as `run` does
// at 100 alerts a minute on compressed time, and nothing else of the agent. Started by bench/sections/30-daemon.mjs
// with the launcher's node flags, sampled from outside like the daemon.
//   node [flags] bench/lib/undici-ticks.mjs URL TICK_MS
import { Pool } from "undici"

const [url, tickMs] = [process.argv[2], Number(process.argv[3])]
const pool = new Pool(url, { connections: 4 })
const headers = { "content-type": "application/json", authorization: "Bearer bench-token" }
const body = (i) => JSON.stringify({ timestamp: new Date().toISOString(), event_type: "alert", n: i, pad: "x".repeat(900) })
let n = 0
const tick = async () => {
  await Promise.all(Array.from({ length: 100 }, async () => {
    const res = await pool.request({ path: "/api/v1/event", method: "POST", headers, body: body(n++) })
    await res.body.text()
  }))
  setTimeout(tick, tickMs)
}
void tick()
