// Baseline for the backlog: a bare undici loop that POSTs every line of BODIES (one JSON body a line, the
// bodies send-events would send) to URL/api/v1/event with 4 requests in flight on an undici Pool, reads every
// answer's body and checks for 201. Plain Node and undici, nothing of the agent.
//   node bench/lib/undici-loop.mjs URL BODIES
import { Pool } from "undici"
import { headers, postEvery, url } from "./post-loop.mjs"

const pool = new Pool(url, { connections: 4 })
await postEvery(
  "undici loop",
  async (body) => {
    const res = await pool.request({ path: "/api/v1/event", method: "POST", headers, body, headersTimeout: 5000, bodyTimeout: 5000 })
    await res.body.text()
    return res.statusCode
  },
  () => pool.close()
)
