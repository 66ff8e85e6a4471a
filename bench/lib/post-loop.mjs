// What the bare baselines share (bench/lib/undici-loop.mjs, bench/lib/pool-loop.mjs): the bodies of BODIES (one
// JSON body a line) POSTed to URL/api/v1/event with 4 requests in flight, each answer checked for 201, a count
// on stderr and exit 1 if any failed. Each baseline brings only its client: `post(body)` resolves with the status.
//   node bench/lib/<name>-loop.mjs URL BODIES
import { readFileSync } from "node:fs"

export const [url, file] = process.argv.slice(2)
export const headers = { "content-type": "application/json", authorization: "Bearer bench-token" }

/** Posts every body, 4 in flight, then `close`; reports as `name`. */
export const postEvery = async (name, post, close) => {
  const bodies = readFileSync(file, "utf8").split("\n").filter((l) => l !== "")
  let next = 0
  let failed = 0
  const worker = async () => {
    while (next < bodies.length) if ((await post(bodies[next++])) !== 201) failed++
  }
  await Promise.all([worker(), worker(), worker(), worker()])
  await close()
  process.stderr.write(`${name}: ${bodies.length} sent, ${failed} failed\n`)
  process.exitCode = failed > 0 ? 1 : 0
}
