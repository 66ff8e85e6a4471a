// Runs a command as a child process and measures it from outside: wall time (parent clock, start-up
// included), CPU time (user + system: steadier than wall time on a shared machine) and peak RSS. Peak RSS comes from GNU time (`/usr/bin/time -v`, the kernel's ru_maxrss read by
// wait4, nothing inside the measured process) when present, else from a preload that reads the same counter
// from inside at exit (bench/lib/maxrss.mjs; works for node commands only).
import { spawn } from "node:child_process"
import { existsSync, openSync, readFileSync, rmSync, closeSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const GNU_TIME = "/usr/bin/time"
const PRELOAD = fileURLToPath(new URL("./maxrss.mjs", import.meta.url))
export const rssMethod = existsSync(GNU_TIME) ? "GNU time -v (ru_maxrss via wait4)" : "in-process preload (process.resourceUsage().maxRSS at exit)"

/** `argv` starts with process.execPath (node). stdout goes to /dev/null; stderr is returned. */
export const measure = (argv) =>
  new Promise((resolve, reject) => {
    const timeOut = join(tmpdir(), `bench-time-${process.pid}-${Math.random().toString(36).slice(2)}.txt`)
    const useTime = existsSync(GNU_TIME)
    const [cmd, ...args] = useTime ? [GNU_TIME, "-v", "-o", timeOut, ...argv] : [argv[0], "--import", PRELOAD, ...argv.slice(1)]
    const devnull = openSync("/dev/null", "w")
    const started = performance.now()
    const child = spawn(cmd, args, { stdio: ["ignore", devnull, "pipe"] })
    let stderr = ""
    child.stderr.on("data", (c) => (stderr += c))
    child.on("error", reject)
    child.on("close", (code) => {
      const wallMs = performance.now() - started
      closeSync(devnull)
      let maxRssKb
      let cpuMs
      if (useTime) {
        const t = readFileSync(timeOut, "utf8")
        rmSync(timeOut, { force: true })
        maxRssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(t)?.[1])
        cpuMs = 1000 * (Number(/User time \(seconds\): ([\d.]+)/.exec(t)?.[1]) + Number(/System time \(seconds\): ([\d.]+)/.exec(t)?.[1]))
      } else {
        const m = /\nmaxrss-kb: (\d+) cpu-us: (\d+)\n/.exec(stderr)
        maxRssKb = Number(m?.[1])
        cpuMs = Number(m?.[2]) / 1000
        stderr = stderr.replace(/\nmaxrss-kb: \d+ cpu-us: \d+\n/, "")
      }
      resolve({ code, wallMs, cpuMs, maxRssMb: maxRssKb / 1024, stderr })
    })
  })

const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]

/**
 * Runs A and B in turn (A B A B ...) `runs` times after one unmeasured pair, and takes each ratio A/B pair by
 * pair, so a drift of the shared machine's speed moves both sides of a ratio alike. `before(which)` runs
 * before every run (not measured): resetting a state file, say. `check(result, which)` throws on a bad run.
 * Returns the medians of A and B (cpuMs, wallMs, maxRssMb) and the medians of the pairwise ratios.
 */
export const paired = async (a, b, { runs = 5, before = async () => {}, check = () => {} } = {}) => {
  const as = []
  const bs = []
  for (let i = -1; i < runs; i++) {
    await before("a")
    const ra = await measure(a)
    check(ra, "a")
    await before("b")
    const rb = await measure(b)
    check(rb, "b")
    if (i >= 0) {
      as.push(ra)
      bs.push(rb)
    }
  }
  const med = (rs) => ({ cpuMs: median(rs.map((r) => r.cpuMs)), wallMs: median(rs.map((r) => r.wallMs)), maxRssMb: median(rs.map((r) => r.maxRssMb)) })
  const ratio = (k) => median(as.map((r, i) => r[k] / bs[i][k]))
  return { a: med(as), b: med(bs), ratio: { cpu: ratio("cpuMs"), wall: ratio("wallMs"), rss: ratio("maxRssMb") }, last: as[as.length - 1] }
}
