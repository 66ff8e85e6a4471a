/**
 * A serverless collector that sanitises eve logs before they leave: point Vector's `http` sink (NDJSON
 * framing), Fluent Bit's `http` output (`format json_lines`) or Logstash at it, and forward its answer (the
 * events exactly as the agent's `send-events` would send them) wherever they go next.
 *
 * Runs unchanged where `Request`/`Response` exist: `export default { fetch }` is what Cloudflare Workers,
 * Bun and `deno serve` start; on Node, examples/node-server.ts serves it (`npx tsx examples/node-server.ts`).
 */
import { eveHandler } from "etpro-telemetry/core"

/** The sensors' HOME_NET, as their suricata.yaml writes it; the always-private ranges are masked anyway. */
const HOME_NET = ["10.0.0.0/8", "192.168.0.0/16", "172.16.0.0/12", "fd00::/8"]

export const handle = eveHandler({
  homeNet: HOME_NET,
  // Only the telemetry SIDs (rules/telemetry_sids.txt); leave it out to sanitise every alert.
  sids: undefined,
  maxBodyBytes: 4 * 1024 * 1024
})

export default {
  fetch: (request: Request): Promise<Response> =>
    new URL(request.url).pathname === "/eve"
      ? handle(request)
      : Promise.resolve(Response.json({ error: "not-found", message: "POST eve lines to /eve" }, { status: 404 }))
}
