// `dump --parsed` figures (issue 2): the built CLI on a generated mixed eve log, as a child process with
// stdout to /dev/null, paired run by run with a plain Node loop that JSON.parses every line; the ratio first,
// then wall time, lines/s, MB/s and peak RSS. Goals (issue 22): peak RSS ≤ 64 MiB; time ≤ 0.35× the stock
// plugin's (its figures: bench/lib/plugin.mjs), the JSON.parse loop as the bare-Node baseline in the same run.
// Runs alone (`node bench/sections/10-dump.mjs`) or from bench/run.mjs (`run()` returns the figures).
// BENCH_LINES (default 1,000,000) and BENCH_RUNS (default 3) change the size and the repetitions.
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs"
import { cpus, loadavg } from "node:os"
import { fileURLToPath, pathToFileURL } from "node:url"
import { DATA, ensureLog } from "../generate.mjs"
import { launcher } from "../lib/launcher.mjs"
import { measure, paired, rssMethod } from "../lib/measure.mjs"
import { GOALS, PLUGIN, PLUGIN_SOURCE } from "../lib/plugin.mjs"

const REPO = fileURLToPath(new URL("../../", import.meta.url))

const cpuModel = () => {
  try {
    return /model name\s*:\s*(.+)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ?? cpus()[0]?.model
  } catch {
    return cpus()[0]?.model ?? "unknown"
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const fmt = (n) => Math.round(n).toLocaleString("en")

export async function run(log = console.log) {
  const lines = Number(process.env.BENCH_LINES ?? 1_000_000)
  const runs = Number(process.env.BENCH_RUNS ?? 3)
  if (!existsSync(`${REPO}dist/bin.js`)) execFileSync(process.execPath, [`${REPO}scripts/build.mjs`], { cwd: REPO, stdio: "inherit" })
  const file = await ensureLog({ lines, log })
  const bytes = statSync(file).size
  const machine = { cpu: cpuModel(), cores: cpus().length, node: process.version }
  log(`dump: machine ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, load average ${loadavg()[0].toFixed(1)}`)
  log(`dump: log ${file.slice(REPO.length)}: ${fmt(lines)} lines, ${(bytes / 1e6).toFixed(0)} MB; peak RSS by ${rssMethod}`)

  // Warm the page cache so every run reads from memory, as the later runs of a cron job do.
  await measure([process.execPath, "-e", `require("fs").readFileSync(${JSON.stringify(file)}).length`])

  // Through the installed launcher, as an administrator runs it (its V8 heap settings for dump).
  const args = (f) => [...launcher(), "dump", "--log", f, "--since", "all", "--parsed", "--home-net", "10.0.0.0/8"]
  // Fixed cost of one run (node start-up, the bundle, flag parsing), on an empty log.
  const empty = `${DATA}empty-eve.json`
  writeFileSync(empty, "")
  const startups = []
  for (let i = 0; i < 3; i++) startups.push((await measure(args(empty))).wallMs)
  const startup = median(startups)

  // Paired with the baseline run by run (dump, loop, dump, loop ...): the ratio is taken pair by pair.
  const dumps = []
  const pairs = await paired(args(file), [process.execPath, `${REPO}bench/lib/parse-every-line.mjs`, file], {
    runs,
    check: (r, which) => {
      if (which !== "a") return
      if (r.code !== 0) throw new Error(`dump exited ${r.code}: ${r.stderr.trim().split("\n").pop()}`)
      const counted = Number(/ (\d+) lines,/.exec(r.stderr)?.[1])
      if (counted !== lines) throw new Error(`dump counted ${counted} lines, expected ${lines}`)
      dumps.push(r)
    }
  })
  const summary = dumps[0].stderr.trim().split("\n").pop()
  const wall = pairs.a.wallMs
  const cpu = pairs.a.cpuMs
  const rss = Math.max(...dumps.map((r) => r.maxRssMb))
  // Memory must not depend on the log's size: the same log twice (a directory of eve.json.1 + eve.json).
  const twice = `${DATA}dump-twice/`
  rmSync(twice, { recursive: true, force: true })
  mkdirSync(twice, { recursive: true })
  symlinkSync(file, `${twice}eve.json.1`)
  symlinkSync(file, `${twice}eve.json`)
  const doubled = await measure(args(twice))
  if (doubled.code !== 0) throw new Error(`dump of two files exited ${doubled.code}`)

  const baseWall = pairs.b.wallMs
  const baseCpu = pairs.b.cpuMs

  const figures = {
    command: `launcher.sh dump --log <file> --since all --parsed --home-net 10.0.0.0/8 > /dev/null`,
    machine,
    loadAverage: +loadavg()[0].toFixed(2),
    lines,
    megabytes: +(bytes / 1e6).toFixed(1),
    runs,
    wallSeconds: +(wall / 1000).toFixed(2),
    startupMs: Math.round(startup),
    linesPerSecond: Math.round(lines / (wall / 1000)),
    linesPerSecondExcludingStartup: Math.round(lines / ((wall - startup) / 1000)),
    megabytesPerSecond: +(bytes / 1e6 / (wall / 1000)).toFixed(1),
    cpuSeconds: +(cpu / 1000).toFixed(2),
    linesPerCpuSecond: Math.round(lines / (cpu / 1000)),
    peakRssMb: +rss.toFixed(1),
    peakRssMbTwiceTheLines: +doubled.maxRssMb.toFixed(1),
    summary,
    baseline: {
      what: "node readline + JSON.parse of every line",
      wallSeconds: +(baseWall / 1000).toFixed(2),
      linesPerSecond: Math.round(lines / (baseWall / 1000)),
      megabytesPerSecond: +(bytes / 1e6 / (baseWall / 1000)).toFixed(1),
      cpuSeconds: +(baseCpu / 1000).toFixed(2),
      linesPerCpuSecond: Math.round(lines / (baseCpu / 1000)),
      peakRssMb: +pairs.b.maxRssMb.toFixed(1)
    },
    ratio: { wall: +pairs.ratio.wall.toFixed(2), cpu: +pairs.ratio.cpu.toFixed(2) },
    plugin: { ...PLUGIN.dump1M, source: PLUGIN_SOURCE },
    pluginTimeRatio: PLUGIN.dump1M.seconds === null ? null : +(cpu / 1000 / PLUGIN.dump1M.seconds).toFixed(2),
    meetsTarget: { peakRss: rss <= GOALS.dumpPeakMiB }
  }
  log(
    `dump --parsed: peak RSS ${figures.peakRssMb} MiB (goal ≤ ${GOALS.dumpPeakMiB}: ${figures.meetsTarget.peakRss ? "met" : "MISSED"}; ` +
      `the plugin ${PLUGIN.dump1M.rssMiB} MiB); ` +
      (figures.pluginTimeRatio === null
        ? `time vs the plugin: no absolute plugin figure on record (issue 22 gives the ratio only, goal ≤ ×${GOALS.dumpTimeRatio})`
        : `CPU ×${figures.pluginTimeRatio} the plugin's (goal ≤ ×${GOALS.dumpTimeRatio})`)
  )
  log(`dump --parsed: ×${figures.ratio.wall} the JSON.parse loop's wall time, ×${figures.ratio.cpu} its CPU (bare-Node baseline)`)
  log(`dump: ${summary}`)
  log(
    `dump --parsed: ${figures.wallSeconds} s (median of ${runs}; start-up ${figures.startupMs} ms), ` +
      `${fmt(figures.linesPerSecond)} lines/s (${fmt(figures.linesPerSecondExcludingStartup)} without start-up), ` +
      `${figures.megabytesPerSecond} MB/s, ${figures.cpuSeconds} CPU s (${fmt(figures.linesPerCpuSecond)} lines/CPU s), ` +
      `peak RSS ${figures.peakRssMb} MB`
  )
  log(`dump --parsed of the same log twice (${fmt(2 * lines)} lines): peak RSS ${figures.peakRssMbTwiceTheLines} MB`)
  log(
    `baseline (${figures.baseline.what}): ${figures.baseline.wallSeconds} s, ${fmt(figures.baseline.linesPerSecond)} lines/s, ` +
      `${figures.baseline.megabytesPerSecond} MB/s, ${figures.baseline.cpuSeconds} CPU s ` +
      `(${fmt(figures.baseline.linesPerCpuSecond)} lines/CPU s), peak RSS ${figures.baseline.peakRssMb} MB`
  )
  return figures
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run()
}
