// The cron run's floor: what posting its 100 bodies costs with nothing of the agent. Plain Node, undici's Pool
// module alone (as send-events loads it, with the same --liftoff-only), 4 requests in flight through a raw
// dispatch handler, each answer read to its end. No Effect, no sanitiser, no state.
//   node bench/lib/pool-loop.mjs URL BODIES
import { createRequire } from "node:module"
import { setFlagsFromString } from "node:v8"
import { headers, postEvery, url } from "./post-loop.mjs"

setFlagsFromString("--liftoff-only")
const Pool = createRequire(import.meta.url)("undici/lib/dispatcher/pool.js")
const pool = new Pool(url, { connections: 4 })
await postEvery(
  "pool loop",
  (body) =>
    new Promise((resolve) => {
      let status = 0
      pool.dispatch({ path: "/api/v1/event", method: "POST", headers, body }, {
        onRequestStart() {},
        onResponseStart(_c, s) {
          status = s
        },
        onResponseData() {},
        onResponseEnd: () => resolve(status),
        onResponseError: () => resolve(0)
      })
    }),
  () => pool.close()
)
