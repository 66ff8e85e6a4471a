// Delivery figures (issue 3): events/s that send-events ships to a loopback sink (4 in flight, and one at a
// time in the same run), CPU per event, the cold start of a `send-events` run with nothing new against
// `node -e 0`, and the bytes a run reads after 100 alerts are appended to a 500 MB log.
// Runs alone (`node bench/sections/20-delivery.mjs`, after `npm run build`) or from bench/run.mjs.
import { bundle } from "../lib/bundle.mjs"
import { execFileSync, spawn, spawnSync } from "node:child_process"
import { appendFileSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync, ftruncateSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const REPO = fileURLToPath(new URL("../../", import.meta.url))
const OUT = `${REPO}bench/data/delivery/`
const BIN = `${REPO}bin/etpro-telemetry`
const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000)

const SINK = `
const { createServer } = require("node:http")
const s = createServer({ keepAlive: true }, (req, res) => { req.resume(); req.on("end", () => { res.writeHead(201, { "content-length": "0" }); res.end() }) })
s.listen(0, "127.0.0.1", () => process.stdout.write(String(s.address().port) + "\\n"))
`

const startSink = () =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, ["-e", SINK], { stdio: ["ignore", "pipe", "inherit"] })
    child.stdout.once("data", (d) => resolve({ url: `http://127.0.0.1:${String(d).trim()}`, stop: () => child.kill() }))
  })

const ts = (ms) => new Date(ms).toISOString().replace("Z", "+0000")
const alert = (i, at) =>
  JSON.stringify({
    timestamp: ts(at), flow_id: 1_000_000_000 + i, in_iface: "em0", event_type: "alert", src_ip: "203.0.113.7", src_port: 443,
    dest_ip: "192.168.1.20", dest_port: 50_000 + (i % 10_000), proto: "TCP", app_proto: "tls",
    alert: { action: "allowed", gid: 1, signature_id: 2_000_000 + (i % 500), rev: 3, signature: "ET BENCH", category: "bench", severity: 2 },
    tls: { sni: "example.com", version: "TLS 1.3", ja3: { hash: "e7d705a3286e19ea42f587b344ee6865" } }
  }) + "\n"

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const timeIt = (cmd, args, n) => {
  const times = []
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    const r = spawnSync(cmd, args, { stdio: ["ignore", "ignore", "pipe"] })
    times.push(performance.now() - t)
    if (r.status !== 0) throw new Error(`${args.join(" ")}: exit ${r.status}: ${r.stderr}`)
  }
  return times
}

export async function run(log = console.log) {
  await bundle(OUT, {
      send: `${REPO}src/main/programs/SendEvents.ts`,
      store: `${REPO}src/adapters/StateStore.ts`,
      eve: `${REPO}src/adapters/EveLog.ts`,
      output: `${REPO}src/adapters/Output.ts`,
      api: `${REPO}src/adapters/TelemetryApi.ts`,
      network: `${REPO}src/domain/Network.ts`,
      fingerprint: `${REPO}src/adapters/Fingerprint.ts`,
      effect: `${REPO}node_modules/effect/dist/esm/index.js`
    })
  const load = (n) => import(pathToFileURL(`${OUT}${n}.js`).href)
  const [{ Effect, Layer }, { sendEvents }, StateStore, EveLog, Output, TelemetryApi, { localNetworks }, { fingerprintFile }] =
    await Promise.all(["effect", "send", "store", "eve", "output", "api", "network", "fingerprint"].map(load))

  const sink = await startSink()
  const results = {}
  try {
    // ---- Throughput: a fresh log of EVENTS alerts for each mode, in the same process.
    const runOnce = async (concurrency, baseUrl = sink.url, noClient = false) => {
      const root = mkdtempSync(join(tmpdir(), "bench-delivery-"))
      mkdirSync(join(root, "log"))
      const now = Date.now()
      let text = ""
      for (let i = 0; i < EVENTS; i++) text += alert(i, now)
      writeFileSync(join(root, "log", "eve.json"), text)
      const opts = {
        log: join(root, "log"), maxAgeMs: 86_400_000, direct: true, concurrency,
        privacy: Effect.succeed({ local: localNetworks([], []), sids: new Set(), warnings: [] }),
        api: noClient
          ? Effect.succeed({ postEvent: () => Effect.void })
          : TelemetryApi.make({ baseUrl, token: "bench-token", insecure: false, timeoutMs: 5000 }),
        tokenSource: { path: "rule-updater.config", trimmed: false }
      }
      const layers = Layer.mergeAll(StateStore.layer(join(root, "state.json")), EveLog.layer, Output.layerTest())
      const cpu = process.cpuUsage()
      const t = performance.now()
      const summary = await Effect.runPromise(Effect.scoped(sendEvents(opts)).pipe(Effect.provide(layers)))
      const ms = performance.now() - t
      const used = process.cpuUsage(cpu)
      if (summary.counters.sent !== EVENTS) throw new Error(`sent ${summary.counters.sent} of ${EVENTS}`)
      return { perSec: Math.round(EVENTS / (ms / 1000)), cpuUs: +((used.user + used.system) / EVENTS).toFixed(1) }
    }
    await runOnce(4) // warm-up (JIT, connection pool)
    const four = []
    const one = []
    for (let i = 0; i < 3; i++) {
      four.push(await runOnce(4))
      one.push(await runOnce(1))
    }
    const best = (xs) => xs.reduce((a, b) => (b.perSec > a.perSec ? b : a))
    results.fourInFlight = { runs: four.map((x) => x.perSec), best: best(four) }
    results.oneAtATime = { runs: one.map((x) => x.perSec), best: best(one) }
    log(`send-events → loopback sink, ${EVENTS} alerts, 4 in flight: ${four.map((x) => x.perSec).join(" / ")} events/s (CPU ${best(four).cpuUs} µs/event)`)
    log(`send-events → loopback sink, one at a time (same run):   ${one.map((x) => x.perSec).join(" / ")} events/s (CPU ${best(one).cpuUs} µs/event)`)
    // Where the time goes: the same run with a client that answers at once (read, select, sanitise, track).
    const local = await runOnce(4, sink.url, true)
    results.withoutHttp = local
    log(`the same run without HTTP (a client that acknowledges at once): ${local.perSec} events/s (CPU ${local.cpuUs} µs/event)`)

    // ---- Reads only the new bytes: a 500 MB log (sparse, ending in a newline) checkpointed at its end.
    {
      const root = mkdtempSync(join(tmpdir(), "bench-delivery-big-"))
      mkdirSync(join(root, "log"))
      const eve = join(root, "log", "eve.json")
      const first = alert(0, Date.now())
      writeFileSync(eve, first)
      const size = 500 * 1024 * 1024
      const fd = openSync(eve, "r+")
      ftruncateSync(fd, size - 1)
      closeSync(fd)
      appendFileSync(eve, "\n")
      const st = (await import("node:fs")).statSync(eve)
      const fingerprint = await fingerprintFile({ path: eve })
      writeFileSync(join(root, "state.json"), JSON.stringify({
        version: 1, files: [{ fingerprint, path: eve, dev: st.dev, ino: st.ino, offset: st.size }],
        counters: { read: 0, selected: 0, sent: 0, rejected: 0, expired: 0, skippedBadLine: 0 }, hourly: []
      }))
      let added = ""
      for (let i = 1; i <= 100; i++) added += alert(i, Date.now())
      appendFileSync(eve, added)
      const rchar = () => Number(/rchar: (\d+)/.exec(readFileSync("/proc/self/io", "utf8"))[1])
      const opts = {
        log: join(root, "log"), maxAgeMs: 86_400_000, direct: true,
        privacy: Effect.succeed({ local: localNetworks([], []), sids: new Set(), warnings: [] }),
        api: TelemetryApi.make({ baseUrl: sink.url, token: "bench-token", insecure: false, timeoutMs: 5000 }),
        tokenSource: { path: "rule-updater.config", trimmed: false }
      }
      const layers = Layer.mergeAll(StateStore.layer(join(root, "state.json")), EveLog.layer, Output.layerTest())
      const before = rchar()
      const t = performance.now()
      const summary = await Effect.runPromise(Effect.scoped(sendEvents(opts)).pipe(Effect.provide(layers)))
      const ms = performance.now() - t
      const read = rchar() - before
      results.bigLog = { logBytes: st.size + added.length, newBytes: added.length, bytesRead: read, sent: summary.counters.sent, ms: Math.round(ms) }
      log(`500 MB log + 100 alerts: ${summary.counters.sent} sent in ${Math.round(ms)} ms; bytes read by the process ${read} (new bytes ${added.length}; the rest is the state file, first lines, and the read buffer's slack)`)
    }
  } finally {
    sink.stop()
  }

  // ---- Cold start of a run with nothing new, through bin/etpro-telemetry (the bundle).
  if (!existsSync(`${REPO}dist/bin.js`)) execFileSync(process.execPath, [`${REPO}scripts/build.mjs`], { cwd: REPO })
  {
    const root = mkdtempSync(join(tmpdir(), "bench-delivery-cold-"))
    const cfg = join(root, "usr/local/etc/suricata/rule-updater.config")
    mkdirSync(dirname(cfg), { recursive: true })
    writeFileSync(cfg, "[__properties__]\net_telemetry.token = bench-token\n")
    const logDir = join(root, "var/log/suricata")
    mkdirSync(logDir, { recursive: true })
    let text = ""
    for (let i = 0; i < 1000; i++) text += alert(i, Date.now())
    writeFileSync(join(logDir, "eve.json.1"), text)
    writeFileSync(join(logDir, "eve.json"), text.replace(/1000000/g, "2000000"))
    const sink2 = await startSink()
    const args = [BIN, "send-events", "--root", root, "--direct", "--base-url", sink2.url]
    try {
      spawnSync(process.execPath, args) // first run delivers and writes the checkpoint
    } finally {
      sink2.stop()
    }
    const n = 15
    timeIt(process.execPath, ["-e", "0"], 3)
    const nodeTimes = timeIt(process.execPath, ["-e", "0"], n)
    const fastTimes = timeIt(process.execPath, args, n)
    // For comparison: starting the full CLI (@effect/cli and Effect), which the fast path avoids.
    const cliTimes = timeIt(process.execPath, [BIN, "--version"], n)
    const nodeMs = median(nodeTimes)
    const fastMs = median(fastTimes)
    const cliMs = median(cliTimes)
    results.coldStart = { nodeMs: Math.round(nodeMs), nothingNewMs: Math.round(fastMs), ratio: +(fastMs / nodeMs).toFixed(2), fullCliMs: Math.round(cliMs) }
    log(`cold start, send-events with nothing new: median ${Math.round(fastMs)} ms vs node -e 0 ${Math.round(nodeMs)} ms (×${(fastMs / nodeMs).toFixed(2)}, target ≤ ×2); the full CLI alone (--version) ${Math.round(cliMs)} ms`)
  }
  return results
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run()
}
