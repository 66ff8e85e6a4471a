/**
 * Warms send-events' startup snapshot (./SendEventsSnapshot.ts). V8 keeps the bytecode of every function
 * that has run when the snapshot is made, and compiles the others lazily at every start: a cron run spent
 * most of its CPU compiling and interpreting cold code (BENCHMARKS.md "Issue 14"). So, while the snapshot is
 * built, this runs the very run function (SendEventsRun.sendEventsRun) once, on a made-up sensor in a temp
 * directory: a synthetic suricata.yaml and SID list, synthetic alerts on documentation addresses, the real
 * state store, eve reader, audit file and sanitiser, and an API that acknowledges in memory. undici cannot be
 * evaluated into a snapshot (node:http), so EventPoster's handler runs once against an in-memory Pool.
 *
 * Nothing of the host is read (its interfaces are a static layer, the token is made up) and the temp
 * directory is removed: what the snapshot keeps is code, not data.
 */
import { Effect, Layer } from "effect"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Credentials from "../adapters/Credentials.js"
import * as EveLog from "../adapters/EveLog.js"
import * as EventPoster from "../adapters/EventPoster.js"
import * as HostNetworks from "../adapters/HostNetworks.js"
import * as Output from "../adapters/Output.js"
import * as StateStore from "../adapters/StateStore.js"
import { TransportError } from "../domain/ApiError.js"
import { resolvePaths } from "../domain/Paths.js"
import { layerTest } from "../adapters/TelemetryApiTest.js"
import { excerpt, transportReason } from "../adapters/TransportFailure.js"
import { sendEventsRun } from "./SendEventsRun.js"

const SIDS = [2013028, 2027865, 2019401]
const DAY_MS = 86_400_000
const WARM_UP_BOUND = "20 seconds"

/** Alerts shaped like Suricata's (http, dns, tls; IPv4 and IPv6; flow, metadata, payload), on documentation networks. */
const SHAPES = [
  {
    src_ip: "203.0.113.7", src_port: 80, dest_ip: "192.0.2.20", dest_port: 51234, app_proto: "http",
    http: { hostname: "host.example", url: "/a?b=192.0.2.20", http_user_agent: "curl/8.0", http_method: "GET", status: 200, length: 12 }
  },
  {
    src_ip: "192.0.2.33", src_port: 35886, dest_ip: "198.51.100.9", dest_port: 53, app_proto: "dns",
    dns: { type: "query", id: 7, rrname: "33.2.0.192.in-addr.arpa", rrtype: "PTR" }
  },
  {
    src_ip: "2001:db8::20", src_port: 443, dest_ip: "2001:db8:1::7", dest_port: 50000, app_proto: "tls",
    tls: { subject: "CN=host.example", sni: "host.example", version: "TLS 1.3", ja3: { hash: "e7d705a3286e19ea42f587b344ee6865" } }
  }
]

/** The warm-up's eve.json: one alert of each shape, a flow record and a corrupt line. */
const eveLines = (at: string): string =>
  SHAPES.map((a, i) =>
    JSON.stringify({
      timestamp: at,
      flow_id: 1000 + i,
      in_iface: "em0",
      event_type: "alert",
      proto: "TCP",
      ...a,
      alert: {
        action: "allowed", gid: 1, signature_id: SIDS[i], rev: 3, signature: "ET WARM UP", category: "Misc activity", severity: 2,
        source: { ip: a.src_ip, port: a.src_port }, target: { ip: a.dest_ip, port: a.dest_port },
        metadata: { signature_severity: ["Minor"], updated_at: ["2024_01_21"] }
      },
      flow: { pkts_toserver: 3, pkts_toclient: 2, bytes_toserver: 300, bytes_toclient: 200, start: at },
      payload: "R0VUIC8gSFRUUC8xLjE=",
      payload_printable: "GET / HTTP/1.1 192.0.2.20",
      stream: 1
    }) + "\n"
  ).join("") + JSON.stringify({ timestamp: at, event_type: "flow", flow_id: 9, src_ip: "192.0.2.1" }) + "\n{not json\n"

/** undici's Pool as EventPoster drives it, answering from memory: 201, then one 503 with a body. */
class MemoryPool {
  private n = 0
  constructor(_origin: string, _options: unknown) {}
  dispatch(_o: unknown, h: Record<string, (...a: Array<unknown>) => void>) {
    const status = this.n++ === 0 ? 201 : 503
    const c = { abort: () => undefined }
    queueMicrotask(() => {
      h.onRequestStart!(c)
      h.onResponseStart!(c, status, { "content-type": "application/json", "retry-after": "1" })
      h.onResponseData!(c, Buffer.from('{"status":"created"}'))
      h.onResponseEnd!(c, {})
    })
    return true
  }
  destroy() {
    return Promise.resolve()
  }
}

const postOnce = Effect.gen(function* () {
  const poster = EventPoster.make({ Pool: MemoryPool as never }, {
    url: "http://telemetry.invalid/api/v1/event",
    token: "warm-up",
    insecure: false,
    timeoutMs: 5000,
    connections: 1,
    keepAliveMs: 1000,
    transport: (url, cause) => new TransportError({ url, reason: transportReason(cause), message: String(cause) }),
    excerpt
  })
  yield* poster.post('{"warm":1}')
  yield* Effect.either(poster.post('{"warm":2}'))
  yield* poster.close
})

/** One send-events run on a made-up sensor; resolves with the events the in-memory API acknowledged. */
export const warmUp = async (): Promise<number> => {
  const dir = mkdtempSync(join(tmpdir(), "etpro-warm-"))
  try {
    const paths = resolvePaths({
      root: dir,
      log: join(dir, "log"),
      state: join(dir, "state.json"),
      suricataYaml: join(dir, "suricata.yaml"),
      sids: join(dir, "sids.txt")
    })
    mkdirSync(paths.logDir)
    writeFileSync(
      paths.suricataYaml,
      '%YAML 1.1\n---\nvars:\n  address-groups:\n    HOME_NET: "[192.0.2.0/24,2001:db8::/48]"\n    EXTERNAL_NET: "!$HOME_NET"\n'
    )
    writeFileSync(paths.telemetrySids, SIDS.join("\n") + "\n")
    writeFileSync(join(paths.logDir, "eve.json"), eveLines(new Date().toISOString().replace("Z", "+0000")))
    let acknowledged = 0
    const layer = Layer.mergeAll(
      layerTest((c) => {
        if (c.call === "event") acknowledged++
        return { status: 201 }
      }),
      Credentials.layerGiven({ token: "warm-up", source: join(dir, "token"), trimmed: false, warnings: [] }),
      StateStore.layer(paths.state),
      EveLog.layer,
      HostNetworks.layerStatic(["192.0.2.0/24"]),
      Output.layerTest()
    )
    await Effect.runPromise(
      Effect.zipRight(
        postOnce,
        sendEventsRun({ paths, maxAgeMs: DAY_MS, direct: true, sidsFile: paths.telemetrySids, homeNet: undefined, audit: true }).pipe(
          Effect.provide(layer)
        )
      ).pipe(
        // The snapshot is made by the launcher in front of a cron run: a warm-up that does not end would hold
        // that run. It takes well under a second; past the bound it is interrupted and the snapshot is cold.
        Effect.timeoutFail({ duration: WARM_UP_BOUND, onTimeout: () => new Error(`the warm-up did not end within ${WARM_UP_BOUND}`) })
      )
    )
    return acknowledged
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
