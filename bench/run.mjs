// `npm run bench`: runs every section in bench/sections/ in file-name order and records their figures.
// A section is a module exporting `async run(log)` that prints its figures through `log` and returns them
// as an object; each also runs alone (`node bench/sections/10-dump.mjs`).
//
//   node bench/run.mjs                 every section
//   node bench/run.mjs dump web        only sections whose file name contains one of these words
//   node bench/run.mjs --quick daemon  tiny sizes (a smoke run that proves the sections work, not figures)
//
// Figures go to bench/data/results.json (with the machine); `node bench/report.mjs` writes BENCHMARKS.md's
// first section from them (`npm run bench:report` does both: build, every section, the report).
import { mkdirSync, readdirSync, writeFileSync } from "node:fs"
import { cpus, loadavg, totalmem } from "node:os"
import { fileURLToPath, pathToFileURL } from "node:url"

const REPO = fileURLToPath(new URL("../", import.meta.url))
const SECTIONS = `${REPO}bench/sections/`

export const machine = () => {
  const cpu = cpus()
  return {
    cpu: cpu[0]?.model.trim() ?? "unknown",
    cores: cpu.length,
    memoryGb: +(totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverage: +loadavg()[0].toFixed(2)
  }
}

// Sizes for a smoke run; a knob set in the environment wins.
const QUICK = {
  BENCH_LINES: "20000", BENCH_RUNS: "2", BENCH_EVENTS: "2000", BENCH_SINKS: "length", BENCH_LOG_MB: "20",
  BENCH_TICK: "250ms", BENCH_DAY_TICKS: "60", BENCH_MEM_TICKS: "120", BENCH_BACKLOGS: "1000,5000",
  // The daemon's backlog phase at a small size; its real-minute phase (10 minutes of real time) left out.
  BENCH_AFTER_BACKLOG: "2000", BENCH_REAL_MINUTES: "0"
}
const quick = process.argv.includes("--quick")
if (quick) for (const [k, v] of Object.entries(QUICK)) process.env[k] ??= v

const filters = process.argv.slice(2).filter((a) => a !== "--quick")
const files = readdirSync(SECTIONS)
  .filter((f) => f.endsWith(".mjs"))
  .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
  .sort()

const m = machine()
console.log(`machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, node ${m.node}, ${m.platform}, load average ${m.loadAverage}`)
const results = { date: new Date().toISOString(), machine: m, quick, sections: {} }
let failed = 0
for (const f of files) {
  const name = f.replace(/\.mjs$/, "")
  console.log(`\n== ${name}`)
  const started = performance.now()
  try {
    const mod = await import(pathToFileURL(SECTIONS + f).href)
    if (typeof mod.run !== "function") throw new Error(`${f} exports no run()`)
    results.sections[name] = (await mod.run((...a) => console.log(...a))) ?? {}
  } catch (e) {
    failed++
    results.sections[name] = { error: String(e?.stack ?? e) }
    console.log(`${name}: FAILED: ${e?.message ?? e}`)
  }
  console.log(`(${name}: ${((performance.now() - started) / 1000).toFixed(1)} s)`)
}
mkdirSync(`${REPO}bench/data`, { recursive: true })
writeFileSync(`${REPO}bench/data/results.json`, JSON.stringify(results, null, 2) + "\n")
console.log(`\nfigures written to bench/data/results.json${failed > 0 ? `; ${failed} section(s) failed` : ""}`)
process.exitCode = failed > 0 ? 1 : 0
