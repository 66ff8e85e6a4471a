// One-shot commands (issue 22) beside the stock plugin's figures (bench/lib/plugin.mjs) and bare Node in the
// same run, the built CLI as a child process started through the installed launcher, measured from outside (bench/lib/measure.mjs):
//   heartbeat  `send-heartbeat --direct` to a loopback sink, paired with `node -e 0`: CPU against the plugin's
//              heartbeat, peak RSS                                      goals: CPU ≤ 1.5× the plugin's, ≤ 64 MiB
//   backlog    `send-events --direct` of a backlog of BENCH_BACKLOGS alerts (default 10k, 100k, 1M): peak RSS and
//              CPU per event (issue 24: memory must not grow with the backlog)
// Runs alone (`node bench/sections/35-oneshot.mjs`, after `npm run build`) or from bench/run.mjs.
// Knobs: BENCH_RUNS (pairs, default 5), BENCH_BACKLOGS (comma-separated alert counts).
import { execFileSync } from "node:child_process"
import { copyFileSync, existsSync, mkdirSync } from "node:fs"
import { fileURLToPath, pathToFileURL } from "node:url"
import { DATA, ensureLog } from "../generate.mjs"
import { launcher } from "../lib/launcher.mjs"
import { measure, paired, rssMethod } from "../lib/measure.mjs"
import { GOALS, PLUGIN, PLUGIN_SOURCE } from "../lib/plugin.mjs"
import { f1, f2, HOME_NET, met, sensorTree, startSink } from "../lib/sensor.mjs"

const REPO = fileURLToPath(new URL("../../", import.meta.url))
const NODE = process.execPath
const RUNS = Number(process.env.BENCH_RUNS ?? 5)
const BACKLOGS = (process.env.BENCH_BACKLOGS ?? "10000,100000,1000000").split(",").map(Number)



const flags = (t, url) => ["--root", t.dir, "--config", `${t.dir}rule-updater.config`, "--state", t.state, "--base-url", url]

export async function run(log = console.log) {
  if (!existsSync(`${REPO}dist/bin.js`)) execFileSync(NODE, [`${REPO}scripts/build.mjs`], { cwd: REPO })
  mkdirSync(DATA, { recursive: true })
  log(`one-shot: the built CLI as a child process (${RUNS} pairs, medians); peak RSS by ${rssMethod}; the plugin's figures from ${PLUGIN_SOURCE}`)
  const sink = await startSink()
  const results = {}
  try {
    // ---- heartbeat
    {
      const t = sensorTree(`${DATA}oneshot-heartbeat/`)
      const hb = [...launcher(), "send-heartbeat", ...flags(t, sink.url), "--direct"]
      const r = await paired(hb, [NODE, "-e", "0"], {
        runs: RUNS,
        check: (x, w) => {
          if (w === "a" && x.code !== 0) throw new Error(`send-heartbeat exited ${x.code}: ${x.stderr.trim().split("\n").pop()}`)
        }
      })
      const vsPlugin = r.a.cpuMs / PLUGIN.heartbeat.cpuMs
      results.heartbeat = { agent: r.a, node: r.b, ratioToNode: r.ratio, ratioToPlugin: vsPlugin, plugin: PLUGIN.heartbeat }
      log(`heartbeat: CPU ×${f2(vsPlugin)} the plugin's (goal ≤ ×${GOALS.heartbeatCpuRatio}: ${met(vsPlugin <= GOALS.heartbeatCpuRatio)}); ` +
        `peak RSS ${f1(r.a.maxRssMb)} MiB (goal ≤ ${GOALS.heartbeatRssMiB}: ${met(r.a.maxRssMb <= GOALS.heartbeatRssMiB)}; the plugin ${PLUGIN.heartbeat.rssMiB})`)
      log(`  ${Math.round(r.a.cpuMs)} ms CPU vs the plugin's ${PLUGIN.heartbeat.cpuMs} ms; ×${f2(r.ratio.cpu)} \`node -e 0\` (${Math.round(r.b.cpuMs)} ms, ${f1(r.b.maxRssMb)} MiB)`)
    }

    // ---- send-events' peak memory by backlog size (issue 24)
    results.backlogMemory = []
    for (const n of BACKLOGS) {
      const t = sensorTree(`${DATA}oneshot-backlog/`)
      copyFileSync(await ensureLog({ lines: n, alertShare: 1, log }), t.log)
      const r = await measure([...launcher(), "send-events", ...flags(t, sink.url), "--log", t.log, "--direct", "--max-age", "off", "--home-net", HOME_NET])
      const sent = Number(/(\d+) sent,/.exec(r.stderr)?.[1])
      if (r.code !== 0 || !(sent > 0)) throw new Error(`send-events of ${n} alerts: exit ${r.code}: ${r.stderr.trim().split("\n").pop()}`)
      const row = { alerts: n, sent, cpuMs: r.cpuMs, usPerEvent: (1000 * r.cpuMs) / sent, peakMiB: r.maxRssMb }
      results.backlogMemory.push(row)
      const goal = n === 100_000 ? ` (goal ≤ ${GOALS.backlog100kPeakMiB}: ${met(r.maxRssMb <= GOALS.backlog100kPeakMiB)})` : ""
      log(`backlog of ${n.toLocaleString("en")} alerts: peak RSS ${f1(r.maxRssMb)} MiB${goal}, ${Math.round(row.usPerEvent)} µs CPU/event (start-up included), ${sent} sent`)
    }
  } finally {
    sink.stop()
  }
  return results
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run()
}
