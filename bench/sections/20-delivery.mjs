// Delivery figures (issues 14, 22): the built CLI as a one-shot run, through the installed launcher
// (scripts/release/launcher.sh, written for this checkout), a child process measured from outside (CPU = user
// + system, peak RSS), each figure paired run by run with a bare-Node baseline in the same run:
//   no-op      `send-events` with nothing new, against `node -e 0`                  goal (issue 22): CPU ≤ 1.3×
//   backlog    `send-events --direct` of BENCH_EVENTS alerts, against a bare undici loop (Pool, 4 in flight)
//              posting the same bodies, once per sink framing (length / chunked / eof)   goal: CPU ≤ 1.5×
//   cron run   100 new alerts appended to a large log already delivered, `send-events --direct` → loopback
//              sink, against `node -e 0` (the daemon is how the agent runs now: bench/sections/30-daemon.mjs)
//   floor      the same 100 bodies posted by a bare loop on undici's Pool module (bench/lib/pool-loop.mjs), against
//              `node -e 0`: what the cron run's delivery costs with nothing of the agent around it
// Runs alone (`node bench/sections/20-delivery.mjs`, after `npm run build`) or from bench/run.mjs.
// Knobs: BENCH_LOG_MB (size of the delivered log of the cron run, default 500: it is written once, quickly,
// and cached), BENCH_EVENTS (backlog alerts, default 20,000), BENCH_SINKS (framings, default
// "length,chunked,eof"), BENCH_RUNS (pairs per figure, default 5; the no-op takes 3× as many).
import { execFileSync, spawn, spawnSync } from "node:child_process"
import { appendFileSync, copyFileSync, existsSync, mkdirSync, openSync, closeSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs"
import { fileURLToPath, pathToFileURL } from "node:url"
import { DATA, ensureLog, makeGenerator } from "../generate.mjs"
import { launcher } from "../lib/launcher.mjs"
import { paired, rssMethod } from "../lib/measure.mjs"
import { GOALS } from "../lib/plugin.mjs"
import { bodiesOf, HOME_NET } from "../lib/sensor.mjs"

const REPO = fileURLToPath(new URL("../../", import.meta.url))
const NODE = process.execPath
const LOG_MB = Number(process.env.BENCH_LOG_MB ?? 500)
const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000)
const SINKS = (process.env.BENCH_SINKS ?? "length,chunked,eof").split(",")
const RUNS = Number(process.env.BENCH_RUNS ?? 5)
const GOAL = { noopCpu: GOALS.noopCpuRatio, backlogCpu: GOALS.backlogCpuRatio }

const startSink = (mode) =>
  new Promise((resolve, reject) => {
    const child = spawn(NODE, [`${REPO}bench/lib/sink.mjs`, mode], { stdio: ["ignore", "pipe", "inherit"] })
    child.on("error", reject)
    child.stdout.once("data", (d) => resolve({ url: `http://127.0.0.1:${String(d).trim()}`, stop: () => child.kill() }))
  })

/** A sensor tree: the token's config file, a log directory, a state file path. */
const tree = (dir) => {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(`${dir}log`, { recursive: true })
  writeFileSync(`${dir}rule-updater.config`, "[__properties__]\net_telemetry.token = bench-token\n")
  return { dir, log: `${dir}log/eve.json`, state: `${dir}state.json` }
}

const sendArgs = (t, url, start = launcher()) => [
  ...start, "send-events", "--config", `${t.dir}rule-updater.config`, "--log", t.log, "--state", t.state,
  "--direct", "--base-url", url, "--home-net", HOME_NET, "--max-age", "off"
]

const sentOf = (stderr) => Number(/(\d+) sent,/.exec(stderr)?.[1])
const expectSent = (n) => (r, which) => {
  if (which !== "a") return
  if (r.code !== 0 || sentOf(r.stderr) !== n) throw new Error(`send-events: exit ${r.code}, expected ${n} sent: ${r.stderr.trim().split("\n").pop()}`)
}
const expectOk = (r) => {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr.trim().split("\n").pop()}`)
}

const alerts = (n, seed) => {
  const g = makeGenerator({ seed, alertShare: 1 })
  let s = ""
  for (let i = 0; i < n; i++) s += g.next(i) + "\n"
  return s
}

/** A log of about `mb` MB: one alert, then other event types (written in 1 MiB blocks), cached in bench/data. */
const bigLog = (mb) => {
  const file = `${DATA}delivered-${mb}mb.json`
  if (existsSync(file)) return file
  const g = makeGenerator({ seed: 11, alertShare: 0 })
  let block = ""
  for (let i = 0; block.length < 1 << 20; i++) block += g.next(i) + "\n"
  const fd = openSync(`${file}.tmp`, "w")
  writeSync(fd, alerts(1, 3))
  for (let written = 0; written < mb * 1e6; written += block.length) writeSync(fd, block)
  closeSync(fd)
  execFileSync("mv", [`${file}.tmp`, file])
  return file
}

const f1 = (x) => x.toFixed(1)
const f2 = (x) => x.toFixed(2)

export async function run(log = console.log) {
  if (!existsSync(`${REPO}dist/bin.js`)) execFileSync(NODE, [`${REPO}scripts/build.mjs`], { cwd: REPO })
  mkdirSync(DATA, { recursive: true })
  log(`delivery: the built CLI as a child process, paired with its baseline run by run (${RUNS} pairs, medians); peak RSS by ${rssMethod}`)
  const results = { runs: RUNS }
  const sinks = {}
  for (const mode of SINKS) sinks[mode] = await startSink(mode)
  const url = sinks[SINKS[0]].url
  try {
    // ---- The cron run: a delivered log of LOG_MB MB, then 100 new alerts; every run starts from that checkpoint.
    {
      const t = tree(`${DATA}delivery-cron/`)
      const started = performance.now()
      copyFileSync(bigLog(LOG_MB), t.log)
      const first = spawnSync(sendArgs(t, url)[0], sendArgs(t, url).slice(1), { encoding: "utf8" })
      if (first.status !== 0) throw new Error(`first delivery of the big log: ${first.stderr}`)
      const added = alerts(100, 5)
      appendFileSync(t.log, added)
      copyFileSync(t.state, `${t.dir}state.delivered`)
      log(`cron run: log ${(statSync(t.log).size / 1e6).toFixed(0)} MB delivered (set-up ${((performance.now() - started) / 1000).toFixed(1)} s), +100 alerts (${added.length} bytes)`)
      const reset = async (which) => which === "a" && copyFileSync(`${t.dir}state.delivered`, t.state)
      const r = await paired(sendArgs(t, url), [NODE, "-e", "0"], { runs: RUNS, before: reset, check: expectSent(100) })
      results.cronRun = { logMb: LOG_MB, agent: r.a, node: r.b, ratio: r.ratio }
      log(`cron run, 100 new alerts: CPU ×${f2(r.ratio.cpu)} node -e 0; peak RSS ${f1(r.a.maxRssMb)} MiB; wall ×${f2(r.ratio.wall)}`)
      log(`  send-events ${Math.round(r.a.cpuMs)} ms CPU, ${Math.round(r.a.wallMs)} ms wall, ${f1(r.a.maxRssMb)} MiB | node -e 0 ${Math.round(r.b.cpuMs)} ms CPU, ${Math.round(r.b.wallMs)} ms wall, ${f1(r.b.maxRssMb)} MiB`)

      // ---- Floor: the cron run's 100 bodies, as `dump --parsed` prints them, posted by a bare Pool loop.
      const added100 = `${t.dir}added.json`
      writeFileSync(added100, added)
      const bodies100 = `${t.dir}bodies100.ndjson`
      bodiesOf(added100, bodies100)
      const fl = await paired([NODE, `${REPO}bench/lib/pool-loop.mjs`, url, bodies100], [NODE, "-e", "0"], { runs: RUNS * 2, check: expectOk })
      results.cronFloor = { poolLoop: fl.a, node: fl.b, ratio: fl.ratio }
      log(`  floor: the same 100 bodies from a bare undici Pool loop (no agent): CPU ×${f2(fl.ratio.cpu)} node -e 0; ` +
        `${Math.round(fl.a.cpuMs)} ms CPU, ${f1(fl.a.maxRssMb)} MiB; the agent's cron run is ×${f2(r.a.cpuMs / fl.a.cpuMs)} the floor`)

      // ---- No-op: the same tree with nothing new (the checkpoint after the 100).
      copyFileSync(`${t.dir}state.delivered`, t.state)
      const once = spawnSync(sendArgs(t, url)[0], sendArgs(t, url).slice(1), { encoding: "utf8" })
      if (sentOf(once.stderr) !== 100) throw new Error(`cron run: ${once.stderr}`)
      const n = await paired(sendArgs(t, url), [NODE, "-e", "0"], { runs: RUNS * 3, check: expectOk })
      results.noop = { agent: n.a, node: n.b, ratio: n.ratio }
      log(`no-op (send-events with nothing new): CPU ×${f2(n.ratio.cpu)} node -e 0 (goal ≤ ×${GOAL.noopCpu}: ${n.ratio.cpu <= GOAL.noopCpu ? "met" : "MISSED"}), wall ×${f2(n.ratio.wall)}; ` +
        `${Math.round(n.a.cpuMs)} vs ${Math.round(n.b.cpuMs)} ms CPU, peak RSS ${f1(n.a.maxRssMb)} vs ${f1(n.b.maxRssMb)} MiB`)
    }

    // ---- Backlog: EVENTS alerts, no checkpoint; the baseline posts the very bodies `dump --parsed` prints.
    {
      const t = tree(`${DATA}delivery-backlog/`)
      copyFileSync(await ensureLog({ lines: EVENTS, alertShare: 1, log }), t.log)
      const bodies = `${t.dir}bodies.ndjson`
      const count = bodiesOf(t.log, bodies)
      results.backlog = { events: count }
      for (const mode of SINKS) {
        const reset = async (which) => which === "a" && rmSync(t.state, { force: true })
        const r = await paired(sendArgs(t, sinks[mode].url), [NODE, `${REPO}bench/lib/undici-loop.mjs`, sinks[mode].url, bodies],
          { runs: RUNS, before: reset, check: (x, w) => (w === "a" ? expectSent(count)(x, w) : expectOk(x)) })
        const perEvent = (ms) => (1000 * ms) / count
        results.backlog[mode] = { agent: r.a, undiciLoop: r.b, ratio: r.ratio, agentUsPerEvent: perEvent(r.a.cpuMs), loopUsPerEvent: perEvent(r.b.cpuMs) }
        log(`backlog, ${count} alerts, sink framing "${mode}": CPU ×${f2(r.ratio.cpu)} the bare undici loop (goal ≤ ×${GOAL.backlogCpu}: ${r.ratio.cpu <= GOAL.backlogCpu ? "met" : "MISSED"}); ` +
          `${Math.round(perEvent(r.a.cpuMs))} vs ${Math.round(perEvent(r.b.cpuMs))} µs CPU/event (start-up included), ` +
          `${Math.round(count / (r.a.wallMs / 1000))} vs ${Math.round(count / (r.b.wallMs / 1000))} events/s, peak RSS ${f1(r.a.maxRssMb)} vs ${f1(r.b.maxRssMb)} MiB`)
      }
    }
  } finally {
    for (const s of Object.values(sinks)) s.stop()
  }
  return results
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run()
}
