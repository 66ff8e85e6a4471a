// One-shot commands (issue 22) beside the stock plugin's figures (bench/lib/plugin.mjs) and bare Node in the
// same run, the built CLI as a child process started through the installed launcher, measured from outside (bench/lib/measure.mjs):
//   heartbeat  `send-heartbeat --direct` to a loopback sink, paired with `node -e 0`: CPU against the plugin's
//              heartbeat, peak RSS                                      goals: CPU ≤ 1.5× the plugin's, ≤ 64 MiB
//   backlog    `send-events --direct` of a backlog of BENCH_BACKLOGS alerts (default 10k, 100k, 1M): peak RSS and
//              CPU per event (issue 24: memory must not grow with the backlog)
//   floors     what the design's stack costs for the same work with the same node flags, nothing of the agent:
//              one @effect/cli command on Effect doing nothing, and posting one body on undici
//              (bench/lib/stack-floor.mjs, bundled as the CLI is); a bare undici loop streaming the 100k backlog's
//              bodies (bench/lib/undici-stream.mjs); the JSON.parse loop over dump's 1M-line log with dump's flags
// Runs alone (`node bench/sections/35-oneshot.mjs`, after `npm run build`) or from bench/run.mjs.
// Knobs: BENCH_RUNS (pairs, default 5), BENCH_BACKLOGS (comma-separated alert counts).
import { execFileSync } from "node:child_process"
import { copyFileSync, existsSync, mkdirSync } from "node:fs"
import { fileURLToPath, pathToFileURL } from "node:url"
import { DATA, ensureLog } from "../generate.mjs"
import { bundle } from "../lib/bundle.mjs"
import { launcher, nodeAs } from "../lib/launcher.mjs"
import { measure, paired, rssMethod } from "../lib/measure.mjs"
import { GOALS, PLUGIN, PLUGIN_SOURCE } from "../lib/plugin.mjs"
import { bodiesOf, f1, f2, HOME_NET, met, sensorTree, startSink } from "../lib/sensor.mjs"

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

    // ---- Floors of the stack: one @effect/cli command doing nothing (under the no-op send-events), and posting one
    // body of a heartbeat's size on undici (under send-heartbeat), with the flags the agent's commands get.
    {
      const out = `${DATA}floor/`
      await bundle(out, { "stack-floor": `${REPO}bench/lib/stack-floor.mjs` })
      const ok = (x, w) => {
        if (x.code !== 0) throw new Error(`${w === "a" ? "stack floor" : "baseline"} exited ${x.code}: ${x.stderr.trim().split("\n").pop()}`)
      }
      const noop = await paired([...nodeAs("send-events"), `${out}stack-floor.js`], [NODE, "-e", "0"], { runs: RUNS, check: ok })
      const post = await paired([...nodeAs("send-heartbeat"), `${out}stack-floor.js`, sink.url], [NODE, "-e", "0"], { runs: RUNS, check: ok })
      results.stackFloor = { noop: noop.a, noopRatioToNode: noop.ratio.cpu, post: post.a, postRatioToPlugin: post.a.cpuMs / PLUGIN.heartbeat.cpuMs, node: noop.b }
      log(`floor: an @effect/cli command on Effect doing nothing: ${Math.round(noop.a.cpuMs)} ms CPU (×${f2(noop.ratio.cpu)} \`node -e 0\`), ${f1(noop.a.maxRssMb)} MiB; ` +
        `posting one body on undici: ${Math.round(post.a.cpuMs)} ms (×${f2(results.stackFloor.postRatioToPlugin)} the plugin's heartbeat), ${f1(post.a.maxRssMb)} MiB`)
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
      let floor = ""
      if (n === 100_000) {
        // The floor under the goal: a bare undici loop streaming the very bodies send-events sent, same flags.
        const bodies = `${t.dir}bodies.ndjson`
        bodiesOf(t.log, bodies)
        const b = await measure([...nodeAs("send-events"), `${REPO}bench/lib/undici-stream.mjs`, sink.url, bodies])
        if (b.code !== 0) throw new Error(`the undici stream exited ${b.code}: ${b.stderr.trim().split("\n").pop()}`)
        row.bareUndiciStream = { cpuMs: b.cpuMs, peakMiB: b.maxRssMb }
        floor = `; a bare undici loop streaming the same bodies ${f1(b.maxRssMb)} MiB`
      }
      results.backlogMemory.push(row)
      const goal = n === 100_000 ? ` (goal ≤ ${GOALS.backlog100kPeakMiB}: ${met(r.maxRssMb <= GOALS.backlog100kPeakMiB)})` : ""
      log(`backlog of ${n.toLocaleString("en")} alerts: peak RSS ${f1(r.maxRssMb)} MiB${goal}, ${Math.round(row.usPerEvent)} µs CPU/event (start-up included), ${sent} sent${floor}`)
    }

    // ---- The floor under dump's memory goal: the JSON.parse loop (the dump section's baseline) over the same
    // 1M-line log with the flags dump gets.
    {
      const file = await ensureLog({ lines: 1_000_000, log })
      const [node, ...dumpFlags] = nodeAs("dump")
      const r = await measure([node, ...dumpFlags, `${REPO}bench/lib/parse-every-line.mjs`, file])
      if (r.code !== 0) throw new Error(`the JSON.parse loop exited ${r.code}`)
      results.dumpFloor = { flags: dumpFlags, cpuMs: r.cpuMs, peakMiB: r.maxRssMb }
      log(`floor: the JSON.parse loop over 1,000,000 lines with dump's flags (${results.dumpFloor.flags.join(" ")}): peak ${f1(r.maxRssMb)} MiB`)
    }
  } finally {
    sink.stop()
  }
  return results
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run()
}
