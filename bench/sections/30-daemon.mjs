// The daemon (issue 22): the built CLI's `run` as a child process started through the installed launcher
// (scripts/release/launcher.sh, which `exec`s node: the child's pid is node's) on compressed time (`run --tick`: one
// scheduled minute in BENCH_TICK of real time; the tasks themselves run on real time), measured from outside
// through /proc (bench/lib/proc.mjs), beside the stock plugin's figures (bench/lib/plugin.mjs) and a bare-Node
// baseline in the same run (a node process that only keeps a timer, for the same real time):
//   idle      BENCH_DAY_TICKS minutes with no alert: CPU per day (events every minute, heartbeat and sensor
//             info hourly), CPU of an idle minute (the hourly runs left out), and whether idle minutes write
//   busy      BENCH_MEM_TICKS minutes with 100 new alerts each: CPU per day at 100 alerts/min, resident
//             memory at minute 100 and at the end (growth), peak resident memory
//   after     a backlog of BENCH_AFTER_BACKLOG alerts (default 30,000) at once: resident memory as it settles
//   real      a second daemon on real time (no --tick): one warm-up minute of 100 alerts, 3 idle minutes, then
//             BENCH_REAL_MINUTES minutes (default 6) of 100 new alerts each: CPU per minute and resident memory as
//             the firewall pays them. Compressed time keeps the code and the CPU's caches hot; a real minute's run
//             starts cold (measured: ~4x the CPU of a compressed minute, V8's flushing and memory reducer ruled
//             out), so the CPU per day at 100 alerts/min is judged on this phase.
// Runs alone (`node bench/sections/30-daemon.mjs`, after `npm run build`) or from bench/run.mjs.
// Knobs: BENCH_TICK (default 200ms), BENCH_DAY_TICKS (default 1440), BENCH_MEM_TICKS (default 1000),
// BENCH_AFTER_BACKLOG (default 30000), BENCH_REAL_MINUTES (default 6; 0 leaves the phase out).
import { spawn } from "node:child_process"
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs"
import { execFileSync } from "node:child_process"
import { fileURLToPath, pathToFileURL } from "node:url"
import { DATA, ensureLog, makeGenerator } from "../generate.mjs"
import { GOALS, PLUGIN, PLUGIN_SOURCE } from "../lib/plugin.mjs"
import { f1, f2, HOME_NET, met, sensorTree, startSink } from "../lib/sensor.mjs"
import { sample } from "../lib/proc.mjs"
import { measure } from "../lib/measure.mjs"
import { launcher, nodeAs } from "../lib/launcher.mjs"

const REPO = fileURLToPath(new URL("../../", import.meta.url))
const NODE = process.execPath
const TICK = process.env.BENCH_TICK ?? "200ms"
const TICK_MS = Number(/^(\d+)ms$/.exec(TICK)?.[1] ?? NaN)
const DAY_TICKS = Number(process.env.BENCH_DAY_TICKS ?? 1440)
const MEM_TICKS = Number(process.env.BENCH_MEM_TICKS ?? 1000)
const MINUTES_A_DAY = 1440
const REAL_MINUTES = Number(process.env.BENCH_REAL_MINUTES ?? 6)
const REAL_IDLE_MINUTES = 3
const MINUTE_MS = 60_000

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))


/** 100 alerts a minute, from a few pre-made blocks (the generator's alerts, every one selected). */
const alertBlocks = () => {
  const g = makeGenerator({ seed: 22, alertShare: 1 })
  return Array.from({ length: 8 }, (_, b) => {
    let s = ""
    for (let i = 0; i < 100; i++) s += g.next(b * 100 + i) + "\n"
    return s
  })
}

/** Starts `run` on compressed time (real time with `tick` null); resolves once it said "started". */
const startDaemon = (t, url, tick = TICK) =>
  new Promise((resolve, reject) => {
    const args = [
      "run", "--root", t.dir, "--config", `${t.dir}rule-updater.config`, "--log", `${t.dir}log`, "--state", t.state,
      "--base-url", url, "--tasks", "events,heartbeat,sensor-info", ...(tick === null ? [] : ["--tick", tick]), "--max-age", "off",
      "--home-net", HOME_NET, "--stop-grace", "1"
    ]
    const [sh, ...start] = launcher()
    const child = spawn(sh, [...start, ...args], { stdio: ["ignore", "ignore", "pipe"] })
    let stderr = ""
    child.stderr.on("data", (c) => {
      stderr += c
      if (/: started \(pid/.test(stderr)) resolve({ child, stderr: () => stderr })
    })
    child.on("error", reject)
    child.on("exit", (code) => reject(new Error(`run exited ${code} before it started: ${stderr}`)))
  })

const stop = (child) =>
  new Promise((resolve) => {
    child.removeAllListeners("exit")
    child.once("exit", (code) => resolve(code))
    child.kill("SIGTERM")
  })

const sentOf = (state) => (existsSync(state) ? JSON.parse(readFileSync(state, "utf8")).counters?.sent ?? 0 : 0)

/** A bare node process that only keeps a timer of the tick's period, sampled over `ms` of real time. */
const bareNode = async (ms) => {
  const child = spawn(NODE, ["-e", `setInterval(() => {}, ${TICK_MS})`], { stdio: "ignore" })
  await sleep(500)
  const a = sample(child.pid)
  await sleep(ms)
  const b = sample(child.pid)
  child.kill()
  return { cpuMs: b.cpuMs - a.cpuMs, rssMiB: b.rssMiB, peakMiB: b.peakMiB }
}

/**
 * A second daemon on real time: 100 new alerts a minute for REAL_MINUTES minutes after a warm-up minute, sampled
 * at each minute's end (the alerts land wherever in the minute the run's second falls).
 */
const realMinutes = async (url, log) => {
  const t = sensorTree(`${DATA}daemon-real/`, { emptyLog: true })
  const blocks = alertBlocks()
  const d = await startDaemon(t, url, null)
  try {
    const pid = d.child.pid
    appendFileSync(t.log, blocks[0])
    await sleep(MINUTE_MS)
    // Idle minutes after a busy one, as most of a firewall's minutes are.
    const idleStart = sample(pid)
    const stateAt = statSync(t.state).mtimeMs
    await sleep(REAL_IDLE_MINUTES * MINUTE_MS)
    const idleEnd = sample(pid)
    // An hourly run (heartbeat, sensor info: at a fixed second of the hour) may fall in these minutes.
    const hourlyInIdle = statSync(t.state).mtimeMs !== stateAt
    const idleMinuteCpuMs = (idleEnd.cpuMs - idleStart.cpuMs) / REAL_IDLE_MINUTES
    // Beside it, the floor: a bare undici process posting 100 bodies each real minute with the same flags; its
    // first minute (start-up, warm-up) is left out, so it is judged on REAL_MINUTES - 1 minutes.
    const [node, ...flags] = nodeAs("run")
    const bare = spawn(node, [...flags, `${REPO}bench/lib/undici-ticks.mjs`, url, String(MINUTE_MS)], { stdio: "ignore" })
    const start = sample(pid)
    const sentBefore = sentOf(t.state)
    const rss = []
    let bareAt
    try {
      for (let i = 1; i <= REAL_MINUTES; i++) {
        appendFileSync(t.log, blocks[i % blocks.length])
        await sleep(MINUTE_MS)
        rss.push(sample(pid).rssMiB)
        const b = sample(bare.pid)
        bareAt = i === 1 ? { first: b, last: b } : { ...bareAt, last: b }
      }
    } finally {
      bare.kill()
    }
    const bareMinuteCpuMs = REAL_MINUTES > 1 ? (bareAt.last.cpuMs - bareAt.first.cpuMs) / (REAL_MINUTES - 1) : NaN
    const end = sample(pid)
    const minuteCpuMs = (end.cpuMs - start.cpuMs) / REAL_MINUTES
    const cpuPerDayS = (minuteCpuMs * MINUTES_A_DAY) / 1000
    const r = { idleMinutes: REAL_IDLE_MINUTES, idleMinuteCpuMs, idleWrittenBytes: idleEnd.writtenBytes - idleStart.writtenBytes, hourlyInIdle, minutes: REAL_MINUTES, sent: sentOf(t.state) - sentBefore, minuteCpuMs, cpuPerDayS, ratioToPlugin: cpuPerDayS / PLUGIN.cpuPerDayS.alerts100, rssMiB: rss, peakMiB: end.peakMiB,
      bareUndici: { minuteCpuMs: bareMinuteCpuMs, cpuPerDayS: (bareMinuteCpuMs * MINUTES_A_DAY) / 1000, ratioToPlugin: (bareMinuteCpuMs * MINUTES_A_DAY) / 1000 / PLUGIN.cpuPerDayS.alerts100, rssMiB: bareAt.last.rssMiB, peakMiB: bareAt.last.peakMiB } }
    log(`daemon on real time, ${REAL_IDLE_MINUTES} idle minutes after a busy one: ${f2(idleMinuteCpuMs)} ms CPU a minute (goal ≤ ${GOALS.idleMinuteCpuMs}: ${met(idleMinuteCpuMs <= GOALS.idleMinuteCpuMs)}), ${r.idleWrittenBytes} bytes written${hourlyInIdle ? " (an hourly run fell in them: state.json written)" : ""}`)
    log(`daemon on real time, ${REAL_MINUTES} minutes of 100 alerts: ${f1(minuteCpuMs)} ms CPU a minute, ${f1(cpuPerDayS)} s a day, ×${f2(r.ratioToPlugin)} the plugin's ` +
      `(goal ≤ ×${GOALS.cpuPerDayRatio.alerts100}: ${met(r.ratioToPlugin <= GOALS.cpuPerDayRatio.alerts100)}); resident ${rss.map(f1).join(", ")} MiB, peak ${f1(end.peakMiB)} MiB; ${r.sent} sent`)
    log(`  a bare undici process posting 100 bodies each real minute beside it: ${f1(bareMinuteCpuMs)} ms CPU a minute, ×${f2(r.bareUndici.ratioToPlugin)} the plugin's; ` +
      `resident ${f1(r.bareUndici.rssMiB)} MiB, peak ${f1(r.bareUndici.peakMiB)} MiB: the floor under the daemon's goals`)
    return r
  } finally {
    await stop(d.child)
  }
}

export async function run(log = console.log) {
  if (!Number.isFinite(TICK_MS) || TICK_MS <= 0) throw new Error(`BENCH_TICK must be milliseconds (e.g. 200ms), not ${TICK}`)
  if (!existsSync(`${REPO}dist/bin.js`)) execFileSync(NODE, [`${REPO}scripts/build.mjs`], { cwd: REPO })
  mkdirSync(DATA, { recursive: true })
  log(`daemon: \`run --tick ${TICK}\` (a scheduled minute in ${TICK} of real time), ${DAY_TICKS} idle minutes, ${MEM_TICKS} minutes of 100 alerts; /proc of the child`)
  log(`daemon: the plugin's figures from ${PLUGIN_SOURCE}`)
  const sink = await startSink()
  const t = sensorTree(`${DATA}daemon/`, { emptyLog: true })
  const results = { tick: TICK, dayTicks: DAY_TICKS, memTicks: MEM_TICKS, plugin: PLUGIN.cpuPerDayS }
  let daemon
  try {
    daemon = await startDaemon(t, sink.url)
    const pid = daemon.child.pid
    // A few minutes to settle: the first run writes the first checkpoint.
    await sleep(5 * TICK_MS)

    // ---- idle: no alert at all.
    const mtime = () => (existsSync(t.state) ? statSync(t.state).mtimeMs : undefined)
    const before = sample(pid)
    const stateBefore = mtime()
    // Sampled every minute: the hourly runs (heartbeat, sensor info) are the largest steps, left out of the idle minute.
    const perMinute = []
    let last = before
    for (let i = 0; i < DAY_TICKS; i++) {
      await sleep(TICK_MS)
      const now = sample(pid)
      perMinute.push({ cpuMs: now.cpuMs - last.cpuMs, written: now.writtenBytes - last.writtenBytes, stateAt: mtime() })
      last = now
    }
    const after = last
    // The hourly runs record their results in state.json: they are the busiest minutes, and left out here.
    const hourly = 2 * Math.ceil(DAY_TICKS / 60)
    const quiet = [...perMinute].sort((a, b) => a.cpuMs - b.cpuMs).slice(0, Math.max(1, perMinute.length - 2 * hourly))
    const quietMinuteMs = quiet.reduce((a, m) => a + m.cpuMs, 0) / quiet.length
    // Writes are judged by what changed, not by CPU: an hourly result's state.json write lands in a cheap minute
    // (the work was the minute before), and its lock file may be written just before a sample's edge. Minutes
    // with no state.json change in them or beside them must write nothing.
    const changed = perMinute.map((m, i) => m.stateAt !== (i === 0 ? stateBefore : perMinute[i - 1].stateAt))
    const unchanged = perMinute.filter((_, i) => !changed[i] && !changed[i - 1] && !changed[i + 1])
    const quietWritten = unchanged.reduce((a, m) => a + m.written, 0)
    const idleCpuMs = after.cpuMs - before.cpuMs
    const idleMinuteMs = idleCpuMs / DAY_TICKS
    const perDayIdleS = (idleMinuteMs * MINUTES_A_DAY) / 1000
    const idleWrites = after.writtenBytes - before.writtenBytes
    // state.json changed in a minute other than an hourly run's (and the minute after it, when the write lands)?
    const stateWrites = perMinute.filter((m, i) => m.stateAt !== (i === 0 ? stateBefore : perMinute[i - 1].stateAt)).length
    const stateWritten = stateWrites > hourly
    const bare = await bareNode(DAY_TICKS * TICK_MS)
    const bareDayS = (bare.cpuMs / DAY_TICKS) * MINUTES_A_DAY / 1000
    results.idle = {
      cpuPerDayS: perDayIdleS, ratioToPlugin: perDayIdleS / PLUGIN.cpuPerDayS.alerts0, minuteCpuMs: idleMinuteMs, quietMinuteCpuMs: quietMinuteMs,
      writtenBytes: idleWrites, quietWrittenBytes: quietWritten, unchangedMinutes: unchanged.length, stateWrites, stateWritten, rssMiB: after.rssMiB, bareNode: { cpuPerDayS: bareDayS, rssMiB: bare.rssMiB }
    }
    log(`daemon, 0 alerts/min: CPU per day ×${f2(results.idle.ratioToPlugin)} the plugin's (goal ≤ ×${GOALS.cpuPerDayRatio.alerts0}: ${met(results.idle.ratioToPlugin <= GOALS.cpuPerDayRatio.alerts0)}); ` +
      `${f1(perDayIdleS)} s vs ${PLUGIN.cpuPerDayS.alerts0} s; a bare node process with a timer ${f1(bareDayS)} s`)
    log(`  idle minute: ${f2(quietMinuteMs)} ms CPU (goal ≤ ${GOALS.idleMinuteCpuMs}: ${met(quietMinuteMs <= GOALS.idleMinuteCpuMs)}; ${f2(idleMinuteMs)} ms with the hourly runs); ` +
      `${quietWritten} bytes written towards storage in the ${unchanged.length} minutes with no state.json write in or beside them (${idleWrites} in all), state.json written ${stateWrites} times ` +
      `(${stateWritten ? "MORE than" : "only by"} the ${hourly} hourly runs); resident ${f1(after.rssMiB)} MiB (bare node ${f1(bare.rssMiB)} MiB)`)

    // ---- busy: 100 new alerts every minute.
    const blocks = alertBlocks()
    const sentBefore = sentOf(t.state)
    const start = sample(pid)
    let at100
    for (let i = 0; i < MEM_TICKS; i++) {
      appendFileSync(t.log, blocks[i % blocks.length])
      await sleep(TICK_MS)
      if (i + 1 === Math.min(100, MEM_TICKS)) at100 = sample(pid)
    }
    // The last minutes' alerts go out at the next runs (at most 50 minutes more).
    for (let i = 0; i < 50 && sentOf(t.state) - sentBefore < MEM_TICKS * 100; i++) await sleep(TICK_MS)
    const end = sample(pid)
    const sent = sentOf(t.state) - sentBefore
    const busyMinuteMs = (end.cpuMs - start.cpuMs) / MEM_TICKS
    const perDayBusyS = (busyMinuteMs * MINUTES_A_DAY) / 1000
    results.busy = {
      cpuPerDayS: perDayBusyS, ratioToPlugin: perDayBusyS / PLUGIN.cpuPerDayS.alerts100, minuteCpuMs: busyMinuteMs,
      sent, appended: MEM_TICKS * 100, rssAt100MiB: at100.rssMiB, rssEndMiB: end.rssMiB, growthMiB: end.rssMiB - at100.rssMiB, peakMiB: end.peakMiB
    }
    if (sent < MEM_TICKS * 100 * 0.95) throw new Error(`the daemon sent ${sent} of ${MEM_TICKS * 100} alerts: it did not keep up with ${TICK} a minute`)
    log(`daemon, 100 alerts/min: CPU per day ×${f2(results.busy.ratioToPlugin)} the plugin's (goal ≤ ×${GOALS.cpuPerDayRatio.alerts100}: ${met(results.busy.ratioToPlugin <= GOALS.cpuPerDayRatio.alerts100)}); ` +
      `${f1(perDayBusyS)} s vs ${PLUGIN.cpuPerDayS.alerts100} s; ${sent} of ${MEM_TICKS * 100} alerts sent`)
    log(`  memory over ${MEM_TICKS} minutes of 100 alerts: resident ${f1(at100.rssMiB)} MiB at minute 100, ${f1(end.rssMiB)} MiB at the end ` +
      `(growth ${f1(results.busy.growthMiB)} MiB; goal ≤ ${GOALS.daemonRssMiB}: ${met(end.rssMiB <= GOALS.daemonRssMiB && at100.rssMiB <= GOALS.daemonRssMiB)}), ` +
      `peak ${f1(end.peakMiB)} MiB (goal ≤ ${GOALS.daemonPeakMiB}: ${met(end.peakMiB <= GOALS.daemonPeakMiB)}); the plugin ${PLUGIN.cronRssMiB} MiB for ~0.2 s a minute`)

    // ---- after a backlog (issue 24 row 8): BENCH_AFTER_BACKLOG alerts at once, then resident memory every 30 s of
    // real time until it stops falling (two samples within 1 MiB) or 5 minutes have passed.
    {
      const n = Number(process.env.BENCH_AFTER_BACKLOG ?? 30_000)
      const before = sample(pid)
      const sentAt = sentOf(t.state)
      appendFileSync(t.log, readFileSync(await ensureLog({ lines: n, alertShare: 1, log })))
      const began = performance.now()
      while (sentOf(t.state) - sentAt < n * 0.99 && performance.now() - began < 600_000) await sleep(500)
      const done = sample(pid)
      const after = []
      for (let i = 0; i < 10; i++) {
        await sleep(30_000)
        after.push(sample(pid).rssMiB)
        if (after.length >= 2 && Math.abs(after.at(-1) - after.at(-2)) < 1) break
      }
      results.afterBacklog = { alerts: n, sent: sentOf(t.state) - sentAt, seconds: (done.at - began) / 1000, rssBeforeMiB: before.rssMiB, rssDoneMiB: done.rssMiB, peakMiB: done.peakMiB, rssEvery30sMiB: after }
      log(`  a backlog of ${n.toLocaleString("en")} alerts at once: sent in ${f1(results.afterBacklog.seconds)} s; resident ${f1(before.rssMiB)} MiB before, ${f1(done.rssMiB)} MiB when sent, ` +
        `then every 30 s ${after.map(f1).join(", ")} MiB (goal: below the daemon's ${GOALS.daemonRssMiB} MiB within 5 minutes: ${met(after.at(-1) <= GOALS.daemonRssMiB)})`)
    }

    // The floor under any Node agent on undici: a bare undici process posting the same 100 a minute, started
    // with the launcher's flags for `run` and the V8 flags bin.ts sets, for up to 200 minutes.
    const bareTicks = Math.min(MEM_TICKS, 200)
    const [node, ...flags] = nodeAs("run")
    const undiciChild = spawn(node, [...flags, `${REPO}bench/lib/undici-ticks.mjs`, sink.url, String(TICK_MS)], { stdio: "ignore" })
    await sleep(bareTicks * TICK_MS)
    const bareUndici = sample(undiciChild.pid)
    undiciChild.kill()
    results.busy.bareUndici = { flags, ticks: bareTicks, rssMiB: bareUndici.rssMiB, peakMiB: bareUndici.peakMiB }
    log(`  a bare undici process posting the same 100 a minute (${flags.join(" ")}, ${bareTicks} minutes): resident ${f1(bareUndici.rssMiB)} MiB, ` +
      `peak ${f1(bareUndici.peakMiB)} MiB: the floor under the daemon's goal`)

    // ---- real: the daemon as the firewall runs it, on real minutes.
    if (REAL_MINUTES > 0) results.real = await realMinutes(sink.url, log)

    // The bare-Node floor of a cron design: `node -e 0` every minute.
    const starts = []
    for (let i = 0; i < 5; i++) starts.push((await measure([NODE, "-e", "0"])).cpuMs)
    const nodeE0 = [...starts].sort((a, b) => a - b)[2]
    results.cronFloor = { nodeE0CpuMs: nodeE0, cpuPerDayS: (nodeE0 * MINUTES_A_DAY) / 1000 }
    log(`  floor of any cron design: \`node -e 0\` every minute ${f1(results.cronFloor.cpuPerDayS)} s a day (${Math.round(nodeE0)} ms a start)`)
  } finally {
    if (daemon !== undefined) {
      const code = await stop(daemon.child)
      if (code !== 0) log(`daemon: run exited ${code}: ${daemon.stderr().trim().split("\n").slice(-3).join(" | ")}`)
    }
    sink.stop()
  }
  return results
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run()
}
