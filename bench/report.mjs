// Writes BENCHMARKS.md's first section ("Issue 22: the ratios") from bench/data/results.json, as the last
// `npm run bench` left it: ratios first, the agent's figure, the plugin's (bench/lib/plugin.mjs) and the
// bare-Node baseline of the same run, and the goal. The section sits between two markers; the rest of
// BENCHMARKS.md (the history) is left as it is. A smoke run (`--quick`) is refused: its sizes are no figures.
//   node bench/report.mjs            (npm run bench:report: build, every section, then this)
import { readFileSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { GOALS, PLUGIN, PLUGIN_SOURCE } from "./lib/plugin.mjs"

const REPO = fileURLToPath(new URL("../", import.meta.url))
const START = "<!-- bench:issue22:start -->"
const END = "<!-- bench:issue22:end -->"

const r = JSON.parse(readFileSync(`${REPO}bench/data/results.json`, "utf8"))
if (r.quick && !process.argv.includes("--allow-quick")) {
  process.stderr.write("bench/report.mjs: bench/data/results.json comes from a --quick run: not figures; run `npm run bench` first\n")
  process.exit(2)
}
const sec = (word) => Object.entries(r.sections).find(([k]) => k.includes(word))?.[1]
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : "-")
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : "-")
const ms = (x) => (Number.isFinite(x) ? `${Math.round(x)} ms` : "-")
const judge = (ok) => (ok === undefined ? "-" : ok ? "met" : "**missed**")

const rows = []
const row = (figure, ratio, agent, baseline, goal) => rows.push(`| ${figure} | ${ratio} | ${agent} | ${baseline} | ${goal} |`)
const notRun = (what) => rows.push(`| ${what} | not measured in this run | | | |`)

const daemon = sec("daemon")
if (daemon?.idle !== undefined) {
  const d = daemon
  row("daemon CPU per day, 0 alerts/min", `**×${f2(d.idle.ratioToPlugin)}** the plugin's`, `${f1(d.idle.cpuPerDayS)} s`,
    `plugin ${PLUGIN.cpuPerDayS.alerts0} s; bare node with a timer ${f1(d.idle.bareNode.cpuPerDayS)} s; \`node -e 0\` a minute ${f1(d.cronFloor?.cpuPerDayS)} s`,
    `≤ ×${GOALS.cpuPerDayRatio.alerts0}: ${judge(d.idle.ratioToPlugin <= GOALS.cpuPerDayRatio.alerts0)}`)
  // Judged on real minutes when the run has them (compressed time keeps V8 warm: kinder than a firewall's minute).
  const busy = d.real ?? d.busy
  row("daemon CPU per day, 100 alerts/min", `**×${f2(busy?.ratioToPlugin)}** the plugin's`,
    d.real ? `${f1(d.real.cpuPerDayS)} s on ${d.real.minutes} real minutes (${f1(d.real.minuteCpuMs)} ms a minute); on compressed time ${f1(d.busy?.cpuPerDayS)} s (×${f2(d.busy?.ratioToPlugin)})`
      : `${f1(d.busy?.cpuPerDayS)} s on compressed time (${d.busy?.sent} alerts sent)`,
    `plugin ${PLUGIN.cpuPerDayS.alerts100} s${d.real?.bareUndici ? `; bare undici posting 100 bodies each real minute ${f1(d.real.bareUndici.cpuPerDayS)} s (×${f2(d.real.bareUndici.ratioToPlugin)})` : ""}`,
    `≤ ×${GOALS.cpuPerDayRatio.alerts100}: ${judge(busy && busy.ratioToPlugin <= GOALS.cpuPerDayRatio.alerts100)}`)
  row("idle minute", "-", `${f2(d.idle.quietMinuteCpuMs)} ms CPU (${f2(d.idle.minuteCpuMs)} ms with the hourly runs)${d.real ? `; on real time, after a busy minute, ${f2(d.real.idleMinuteCpuMs)} ms, ${d.real.idleWrittenBytes} bytes written${d.real.hourlyInIdle ? " (an hourly run fell in them)" : ""}` : ""}; ${d.idle.quietWrittenBytes} bytes written in the ${d.idle.unchangedMinutes ?? "?"} minutes with no state.json write in or beside them, state.json written ${d.idle.stateWrites} times (hourly results)`,
    "-", `≤ ${GOALS.idleMinuteCpuMs} ms, no write: ${judge(Math.max(d.idle.quietMinuteCpuMs, d.real && !d.real.hourlyInIdle ? d.real.idleMinuteCpuMs : 0) <= GOALS.idleMinuteCpuMs && !d.idle.stateWritten && d.idle.quietWrittenBytes === 0 && (d.real === undefined || d.real.hourlyInIdle || d.real.idleWrittenBytes === 0))}`)
  if (d.busy !== undefined) {
    row(`daemon memory over ${d.memTicks} minutes of 100 alerts`, `growth ${f1(d.busy.growthMiB)} MiB (minute 100 → end)`,
      `resident ${f1(d.busy.rssAt100MiB)} → ${f1(d.busy.rssEndMiB)} MiB, peak ${f1(d.busy.peakMiB)} MiB${d.real ? `; on real minutes ${d.real.rssMiB.map(f1).join(", ")}, peak ${f1(d.real.peakMiB)}` : ""}`,
      `plugin ${PLUGIN.cronRssMiB} MiB for ~0.2 s a minute; bare node ${f1(d.idle.bareNode.rssMiB)} MiB; bare undici posting the same ${d.busy.bareUndici ? `${f1(d.busy.bareUndici.rssMiB)} MiB, peak ${f1(d.busy.bareUndici.peakMiB)}` : "-"}`,
      `≤ ${GOALS.daemonRssMiB} / ${GOALS.daemonPeakMiB} MiB, no growth: ${judge(d.busy.rssEndMiB <= GOALS.daemonRssMiB && d.busy.peakMiB <= GOALS.daemonPeakMiB && d.busy.growthMiB <= 1)}`)
  }
  const a = d.afterBacklog
  if (a !== undefined) {
    row(`daemon after a backlog of ${a.alerts.toLocaleString("en")} alerts (issue 24)`, "-",
      `resident ${f1(a.rssBeforeMiB)} MiB before, ${f1(a.rssDoneMiB)} when sent (${f1(a.seconds)} s), then every 30 s ${a.rssEvery30sMiB.map(f1).join(", ")}`,
      "-", `below ${GOALS.daemonRssMiB} MiB within 5 min: ${judge(a.rssEvery30sMiB.at(-1) <= GOALS.daemonRssMiB)}`)
  }
} else notRun("daemon (bench/sections/30-daemon.mjs)")

const one = sec("oneshot")
// The stack's floors (bench/lib/stack-floor.mjs): the least Effect, @effect/cli and undici on Node cost for the work.
const sf = one?.stackFloor
const stackPost = sf ? `; the stack posting once ${ms(sf.post.cpuMs)} (×${f2(sf.postRatioToPlugin)} the plugin's), ${f1(sf.post.maxRssMb)} MiB` : ""
const stackNoop = sf ? `; the stack doing nothing ${ms(sf.noop.cpuMs)} (×${f2(sf.noopRatioToNode)}), ${f1(sf.noop.maxRssMb)} MiB` : ""
const dumpFloor = one?.dumpFloor ? `; loop with dump's flags ${f1(one.dumpFloor.peakMiB)} MiB, the stack doing nothing ${f1(sf?.noop.maxRssMb)} MiB` : ""
if (one?.heartbeat !== undefined) {
  const h = one.heartbeat
  row("one-shot heartbeat", `**×${f2(h.ratioToPlugin)}** the plugin's CPU; ×${f2(h.ratioToNode.cpu)} \`node -e 0\``, `${ms(h.agent.cpuMs)}, ${f1(h.agent.maxRssMb)} MiB`,
    `plugin ${PLUGIN.heartbeat.cpuMs} ms, ${PLUGIN.heartbeat.rssMiB} MiB; \`node -e 0\` ${ms(h.node.cpuMs)}${stackPost}`,
    `≤ ×${GOALS.heartbeatCpuRatio}, ≤ ${GOALS.heartbeatRssMiB} MiB: ${judge(h.ratioToPlugin <= GOALS.heartbeatCpuRatio && h.agent.maxRssMb <= GOALS.heartbeatRssMiB)}`)
} else notRun("one-shot heartbeat (bench/sections/35-oneshot.mjs)")

const dump = sec("dump")
if (dump?.peakRssMb !== undefined) {
  row(`\`dump --parsed\`, ${dump.lines.toLocaleString("en")} lines`, `peak **${f1(dump.peakRssMb)} MiB**; CPU ×${f2(dump.ratio.cpu)} the JSON.parse loop`,
    `${f2(dump.cpuSeconds)} CPU s, ${f2(dump.wallSeconds)} s`, `plugin ${PLUGIN.dump1M.rssMiB} MiB, its time not on record; loop ${f2(dump.baseline.cpuSeconds)} CPU s, ${f1(dump.baseline.peakRssMb)} MiB${dumpFloor}`,
    `≤ ${GOALS.dumpPeakMiB} MiB: ${judge(dump.peakRssMb <= GOALS.dumpPeakMiB)}; ≤ ×${GOALS.dumpTimeRatio} the plugin's time: ${dump.pluginTimeRatio == null ? "not judged" : judge(dump.pluginTimeRatio <= GOALS.dumpTimeRatio)}`)
} else notRun("dump (bench/sections/10-dump.mjs)")

const del = sec("delivery")
if (del?.noop !== undefined) {
  row("no-op `send-events` (nothing new)", `**CPU ×${f2(del.noop.ratio.cpu)}** \`node -e 0\``, `${ms(del.noop.agent.cpuMs)}, ${f1(del.noop.agent.maxRssMb)} MiB`,
    `${ms(del.noop.node.cpuMs)}, ${f1(del.noop.node.maxRssMb)} MiB${stackNoop}`, `≤ ×${GOALS.noopCpuRatio}: ${judge(del.noop.ratio.cpu <= GOALS.noopCpuRatio)}`)
} else notRun("no-op send-events (bench/sections/20-delivery.mjs)")
if (del?.backlog !== undefined) {
  for (const [mode, b] of Object.entries(del.backlog)) {
    if (mode === "events") continue
    row(`backlog of ${del.backlog.events.toLocaleString("en")} alerts, sink framing ${mode}`, `**CPU ×${f2(b.ratio.cpu)}** the bare undici loop`,
      `${Math.round(b.agentUsPerEvent)} µs/event, ${f1(b.agent.maxRssMb)} MiB`, `${Math.round(b.loopUsPerEvent)} µs/event, ${f1(b.undiciLoop.maxRssMb)} MiB`,
      `≤ ×${GOALS.backlogCpuRatio}: ${judge(b.ratio.cpu <= GOALS.backlogCpuRatio)}`)
  }
}
for (const b of one?.backlogMemory ?? []) {
  row(`send-events peak memory, backlog of ${b.alerts.toLocaleString("en")} alerts (issue 24)`, "-", `${f1(b.peakMiB)} MiB, ${Math.round(b.usPerEvent)} µs/event`,
    b.bareUndiciStream ? `a bare undici loop streaming the same bodies ${f1(b.bareUndiciStream.peakMiB)} MiB` : "-",
    b.alerts === 100_000 ? `≤ ${GOALS.backlog100kPeakMiB} MiB: ${judge(b.peakMiB <= GOALS.backlog100kPeakMiB)}` : "flat with the backlog")
}

const m = r.machine
const section = [
  START,
  `## Issue 22: the ratios (\`npm run bench\`, ${r.date.slice(0, 16).replace("T", " ")} UTC)`,
  "",
  `${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, Node ${m.node}, ${m.platform}, load average ${m.loadAverage} at the start. The built CLI as a`,
  "child process; the daemon on compressed time (`run --tick`, a bench aid) and on real minutes, measured through /proc; the bare-Node",
  `baselines ran in the same call. The plugin's figures are constants from ${PLUGIN_SOURCE}.`,
  "Written by `node bench/report.mjs` from bench/data/results.json.",
  "",
  "| figure | ratio | agent | plugin / bare Node | goal |",
  "| --- | --- | --- | --- | --- |",
  ...rows,
  END
].join("\n")

const md = readFileSync(`${REPO}BENCHMARKS.md`, "utf8")
const at = md.indexOf(START)
const next = at >= 0 ? md.slice(0, at) + section + md.slice(md.indexOf(END) + END.length) : md.replace(/\n## /, `\n${section}\n\n## `)
writeFileSync(`${REPO}BENCHMARKS.md`, next)
process.stdout.write(`BENCHMARKS.md: "Issue 22: the ratios" written from the run of ${r.date}\n`)
