// Reference service under load (issue 5), two figures:
// 1. service capacity: 4 agents (each its own token and keep-alive pool of 4 connections, HTTP from this
//    process with undici) ship 100,000 sanitised events in total, concurrently, to one `service --db FILE`
//    child over loopback: events/s, the service's RSS idle and at peak, and whether every event arrived once.
// 2. end to end: 4 real agents (`send-events` child processes, each with its own sensor tree and token) ship
//    a smaller log each: events/s from agent start to the last exit, start-up included.
// Runs alone (`node bench/sections/50-service.mjs`) or from bench/run.mjs (`run()` returns the figures).
// test/e2e/Load.test.ts runs figure 1's harness and asserts on it (none lost, memory bounded).
import { spawn } from "node:child_process"
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const REPO = fileURLToPath(new URL("../../", import.meta.url))

/** The CLI from the bundle (what `npm run bench` builds), or from the sources with ETPRO_CLI=tsx. */
export const defaultCli = () =>
  process.env.ETPRO_CLI === "tsx"
    ? [process.execPath, "--import", "tsx", join(REPO, "src/main/bin.ts")]
    : [process.execPath, join(REPO, "bin/etpro-telemetry")]

const SRC = ["192.168.1.23", "10.0.0.5", "172.16.5.9", "fd00::23", "203.0.113.7", "8.8.8.8", "2001:db8::7"]

/** `n` alert lines from the last hour, addresses and SIDs varied, every line distinct (flow_id). */
const eveLog = (agent, n, now) => {
  const lines = new Array(n)
  for (let i = 0; i < n; i++) {
    const src = SRC[i % SRC.length]
    const dest = src.includes(":") ? "2606:4700:4700::1111" : "1.1.1.1"
    const ts = new Date(now - 3_600_000 + Math.floor((i * 3_500_000) / n)).toISOString().replace("Z", "000+0000")
    lines[i] =
      `{"timestamp":"${ts}","flow_id":${agent * 10_000_000 + i},"in_iface":"em0","event_type":"alert","src_ip":"${src}",` +
      `"src_port":${1024 + (i % 60000)},"dest_ip":"${dest}","dest_port":443,"proto":"TCP","alert":{"action":"allowed",` +
      `"gid":1,"signature_id":${2850001 + (i % 5)},"rev":1,"signature":"ETPRO SAMPLE load","category":"x","severity":2,` +
      `"source":{"ip":"${src}","port":${1024 + (i % 60000)}},"target":{"ip":"${dest}","port":443}},"app_proto":"tls",` +
      `"tls":{"subject":"CN=${src}","sni":"load.example.net","version":"TLS 1.3"},"payload":"AAAA"}`
  }
  return lines.join("\n") + "\n"
}

const startService = (cli, args) =>
  new Promise((resolve, reject) => {
    const child = spawn(cli[0], [...cli.slice(1), "service", ...args], { stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    let err = ""
    child.stderr.on("data", (c) => (err += c))
    child.stdout.on("data", (c) => {
      out += c
      const m = /listening on (\S+)/.exec(out)
      if (m !== null) resolve({ child, url: m[1] })
    })
    child.on("close", (code) => reject(new Error(`service exited ${code}: ${err}`)))
  })

const run1 = (cli, args) =>
  new Promise((resolve) => {
    const child = spawn(cli[0], [...cli.slice(1), ...args], { stdio: ["ignore", "pipe", "pipe"] })
    let stderr = ""
    child.stderr.on("data", (c) => (stderr += c))
    child.stdout.resume()
    child.on("close", (code) => resolve({ code, stderr }))
  })

const procStatus = async (pid, field) => {
  const s = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "")
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(s)
  return m === null ? undefined : Number(m[1]) * 1024
}

/**
 * One load run. Returns the figures; `stored` is what the service counted, `reportedSent` what the agents
 * said they sent: loss or duplication shows as a difference.
 */
/** Figure 2: real agents (`send-events` processes) end to end. */
export async function loadRun({ cli = defaultCli(), agents = 4, events = 100_000, log = () => {} } = {}) {
  const dir = await mkdtemp(join(tmpdir(), "etpro-load-"))
  const adminKey = "load-admin-key"
  const tokens = Array.from({ length: agents }, (_, i) => `load-token-${i}-${Math.random().toString(36).slice(2)}`)
  const perAgent = Math.ceil(events / agents)
  const now = Date.now()
  const roots = []
  for (let a = 0; a < agents; a++) {
    const root = join(dir, `sensor-${a}`)
    const etc = join(root, "usr/local/etc/suricata")
    await mkdir(etc, { recursive: true })
    await mkdir(join(root, "var/log/suricata"), { recursive: true })
    await mkdir(join(root, "usr/local/var/run/etpro-telemetry"), { recursive: true })
    await writeFile(join(etc, "suricata.yaml"), 'vars:\n  address-groups:\n    HOME_NET: "[192.168.0.0/16]"\n')
    await writeFile(join(etc, "rule-updater.config"), `[__properties__]\net_telemetry.token = ${tokens[a]}\n`, { mode: 0o600 })
    await writeFile(join(root, "var/log/suricata/eve.json"), eveLog(a, perAgent, now))
    roots.push(root)
  }
  const svc = await startService(cli, [
    "--listen", "127.0.0.1:0", "--db", join(dir, "service.db"), "--admin-key", adminKey,
    ...tokens.flatMap((t) => ["--token", t])
  ])
  let peakRss = 0
  const sampler = setInterval(async () => {
    const rss = await procStatus(svc.child.pid, "VmRSS")
    if (rss !== undefined && rss > peakRss) peakRss = rss
  }, 200)
  try {
    const rssBefore = await procStatus(svc.child.pid, "VmRSS")
    const t0 = performance.now()
    const results = await Promise.all(
      roots.map((root) => run1(cli, ["send-events", "--direct", "--max-age", "1d", "--root", root, "--base-url", svc.url]))
    )
    const seconds = (performance.now() - t0) / 1000
    const stats = await (await fetch(`${svc.url}/admin/stats`, { headers: { "x-admin-key": adminKey } })).json()
    const hwm = await procStatus(svc.child.pid, "VmHWM")
    const reportedSent = results.map((r) => Number(/(\d+) sent/.exec(r.stderr)?.[1] ?? NaN))
    const figures = {
      agents,
      events: perAgent * agents,
      stored: stats.events,
      reportedSent,
      exitCodes: results.map((r) => r.code),
      violations: stats.violations,
      seconds: +seconds.toFixed(1),
      eventsPerSecond: Math.round(stats.events / seconds),
      serviceRssBeforeMiB: rssBefore === undefined ? null : +(rssBefore / 2 ** 20).toFixed(1),
      servicePeakRssMiB: +(Math.max(peakRss, hwm ?? 0) / 2 ** 20).toFixed(1),
      errors: results.filter((r) => r.code !== 0).map((r) => r.stderr.trim().split("\n").at(-1))
    }
    log(
      `service: ${figures.agents} send-events agents → ${figures.stored}/${figures.events} events stored in ${figures.seconds} s ` +
        `(${figures.eventsPerSecond} events/s end to end), service RSS ${figures.serviceRssBeforeMiB} MiB idle, ` +
        `${figures.servicePeakRssMiB} MiB peak; ${figures.violations} privacy violations`
    )
    return figures
  } finally {
    clearInterval(sampler)
    svc.child.removeAllListeners("close")
    svc.child.kill("SIGTERM")
    await new Promise((r) => svc.child.once("close", r))
    await rm(dir, { recursive: true, force: true })
  }
}

/** Sanitised events as an agent sends them (local addresses already masked), each with its own flow id. */
const sanitisedEvent = (agent, i, now) => {
  const v6 = i % 3 === 0
  const src = v6 ? "xxxx:xxxx:0000:0023" : `xxx.xxx.xxx.${i % 250}`
  return JSON.stringify({
    timestamp: new Date(now - (i % 3600) * 1000).toISOString().replace("Z", "000+0000"),
    flow_id: agent * 10_000_000 + i,
    in_iface: "em0",
    event_type: "alert",
    src_ip: src,
    src_port: 1024 + (i % 60000),
    dest_ip: v6 ? "2606:4700:4700::1111" : "1.1.1.1",
    dest_port: 443,
    proto: "TCP",
    app_proto: "tls",
    alert: { action: "allowed", signature_id: 2850001 + (i % 5), rev: 1, source: { ip: src, port: 1024 + (i % 60000) } },
    tls: { subject: `CN=${src}`, sni: "load.example.net", version: "TLS 1.3" }
  })
}

/**
 * Figure 1: the service under 4 concurrent HTTP agents. `stored` is what the service counted, `perSensor`
 * its count for each agent's sensor, `failed` the requests that did not get a 201 (none expected).
 */
export async function serviceLoad({
  cli = defaultCli(),
  agents = 4,
  events = 100_000,
  connections = 4,
  /** Node flags for the service process only, e.g. a heap cap that a leak would hit. */
  serviceNodeArgs = [],
  /** Told the service's pid as soon as it listens (a test stops it should the test time out). */
  onServiceStart = () => {},
  log = () => {}
} = {}) {
  const { Agent, request } = await import("undici")
  const dir = await mkdtemp(join(tmpdir(), "etpro-load-"))
  const adminKey = "load-admin-key"
  const tokens = Array.from({ length: agents }, (_, i) => `load-token-${i}-${Math.random().toString(36).slice(2)}`)
  const perAgent = Math.ceil(events / agents)
  const svc = await startService([cli[0], ...serviceNodeArgs, ...cli.slice(1)], [
    "--listen", "127.0.0.1:0", "--db", join(dir, "service.db"), "--admin-key", adminKey,
    ...tokens.flatMap((t) => ["--token", t])
  ])
  onServiceStart(svc.child.pid)
  let peakRss = 0
  const samples = []
  const sampler = setInterval(async () => {
    const rss = await procStatus(svc.child.pid, "VmRSS")
    if (rss !== undefined) {
      samples.push(rss)
      if (rss > peakRss) peakRss = rss
    }
  }, 250)
  const pools = tokens.map(() => new Agent({ connections, keepAliveTimeout: 30_000 }))
  try {
    const rssIdle = await procStatus(svc.child.pid, "VmRSS")
    const now = Date.now()
    let failed = 0
    const t0 = performance.now()
    await Promise.all(
      tokens.map(async (token, a) => {
        let next = 0
        const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" }
        await Promise.all(
          Array.from({ length: connections }, async () => {
            while (next < perAgent) {
              const body = sanitisedEvent(a, next++, now)
              const r = await request(`${svc.url}/api/v1/event`, { method: "POST", headers, body, dispatcher: pools[a] })
              await r.body.dump()
              if (r.statusCode !== 201) failed++
            }
          })
        )
      })
    )
    const seconds = (performance.now() - t0) / 1000
    const stats = await (await fetch(`${svc.url}/admin/stats`, { headers: { "x-admin-key": adminKey } })).json()
    const sensors = await (await fetch(`${svc.url}/admin/sensors`, { headers: { "x-admin-key": adminKey } })).json()
    const hwm = await procStatus(svc.child.pid, "VmHWM")
    const mib = (b) => (b === undefined ? null : +(b / 2 ** 20).toFixed(1))
    // RSS over the second half of the run against the first: flat when memory does not grow with the data.
    const half = samples.slice(Math.floor(samples.length / 2))
    const figures = {
      agents,
      events: perAgent * agents,
      stored: stats.events,
      perSensor: sensors.map((s) => s.events_received),
      failed,
      violations: stats.violations,
      seconds: +seconds.toFixed(1),
      eventsPerSecond: Math.round(stats.events / seconds),
      serviceRssIdleMiB: mib(rssIdle),
      serviceRssPeakMiB: mib(Math.max(peakRss, hwm ?? 0)),
      serviceRssFirstHalfMaxMiB: mib(Math.max(0, ...samples.slice(0, Math.floor(samples.length / 2)))),
      serviceRssSecondHalfMaxMiB: mib(Math.max(0, ...half))
    }
    log(
      `service: ${figures.agents} HTTP agents × ${connections} connections → ${figures.stored}/${figures.events} events stored ` +
        `in ${figures.seconds} s (${figures.eventsPerSecond} events/s), ${failed} failed; service RSS ${figures.serviceRssIdleMiB} MiB idle, ` +
        `${figures.serviceRssPeakMiB} MiB peak (max ${figures.serviceRssFirstHalfMaxMiB} MiB in the first half of the run, ` +
        `${figures.serviceRssSecondHalfMaxMiB} MiB in the second); ${figures.violations} privacy violations`
    )
    return figures
  } finally {
    clearInterval(sampler)
    await Promise.all(pools.map((p) => p.close()))
    svc.child.removeAllListeners("close")
    svc.child.kill("SIGTERM")
    await new Promise((r) => svc.child.once("close", r))
    await rm(dir, { recursive: true, force: true })
  }
}

export async function run(log = console.log) {
  const capacity = await serviceLoad({ log })
  const endToEnd = await loadRun({ events: Number(process.env.ETPRO_E2E_EVENTS ?? 10_000), log })
  return { capacity, endToEnd }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run()
}
