// Rules figures (issue 6): verifying and installing an ET Pro-sized ruleset archive through RulesStore
// (node-tar parse + checks, extraction of the enabled categories, fsync of every file, the symlink switch),
// replacing it with the next version, the "unchanged?" check a daily update makes, and what an idle
// `run` process costs on a firewall. Runs alone (`node bench/sections/60-rules.mjs`) or from bench/run.mjs.
import { bundle } from "../lib/bundle.mjs"
import { spawn } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { gzipSync } from "node:zlib"

const REPO = fileURLToPath(new URL("../../", import.meta.url))
const OUT = `${REPO}bench/data/rules/`
const RULE_FILES = 40
const RULES_PER_FILE = 2_500 // 100k rules: about a full ET Pro ruleset

const rule = (sid, i) =>
  `alert http $HOME_NET any -> $EXTERNAL_NET any (msg:"ET BENCH rule ${sid} with some text"; flow:established,to_server; ` +
  `http.method; content:"POST"; http.uri; content:"/x${i}/"; fast_pattern; reference:url,example.com/${sid}; ` +
  `classtype:trojan-activity; sid:${sid}; rev:${1 + (i % 3)}; metadata:created_at 2024_01_01, updated_at 2024_06_01;)`

const mb = (b) => +(b / 1e6).toFixed(1)

/** An archive as the service serves it, built with node-tar's Header (the same library that reads it). */
const archive = (Header, version) => {
  const parts = []
  const add = (path, body) => {
    const data = Buffer.from(body)
    const block = Buffer.alloc(512)
    new Header({ path, type: "File", size: data.length, mode: 0o644, mtime: new Date(1_700_000_000_000) }).encode(block, 0)
    parts.push(block, data, Buffer.alloc((512 - (data.length % 512)) % 512))
  }
  let raw = 0
  for (let f = 0; f < RULE_FILES; f++) {
    const text = Array.from({ length: RULES_PER_FILE }, (_, i) => rule(2_000_000 + f * RULES_PER_FILE + i, i + version)).join("\n") + "\n"
    raw += text.length
    add(`rules/emerging-bench-${f}.rules`, text)
  }
  add("rules/telemetry_sids.txt", Array.from({ length: 5000 }, (_, i) => 2_000_000 + i * 7).join("\n") + "\n")
  add("rules/classification.config", "config classification: misc,Misc,3\n")
  parts.push(Buffer.alloc(1024))
  return { bytes: gzipSync(Buffer.concat(parts)), raw }
}

const rssOf = (pid) => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8")
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024
  } catch {
    return NaN
  }
}
const cpuOf = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")
  return (Number(f[11]) + Number(f[12])) * 10 // ms, at 100 ticks/s
}

export async function run(log = console.log) {
  await bundle(OUT, {
      store: `${REPO}src/adapters/RulesStore.ts`,
      effect: `${REPO}node_modules/effect/dist/esm/index.js`,
      cli: `${REPO}src/main/bin.ts`
    })
  const { Effect } = await import(pathToFileURL(`${OUT}effect.js`).href)
  const store = await import(pathToFileURL(`${OUT}store.js`).href)
  const { Header } = await import("tar")

  const root = mkdtempSync(join(tmpdir(), "bench-rules-"))
  const figures = {}
  try {
    const v1 = archive(Header, 1)
    const v2 = archive(Header, 2)
    writeFileSync(join(root, "v1.tgz"), v1.bytes)
    writeFileSync(join(root, "v2.tgz"), v2.bytes)
    figures.archiveMB = mb(v1.bytes.length)
    figures.rawMB = mb(v1.raw)
    const layout = store.tempLayout(root)
    const rules = store.make(layout)
    const install = async (file, version, selection) => {
      const rss0 = process.memoryUsage().rss
      let peak = rss0
      const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5)
      const t0 = performance.now()
      await Effect.runPromise(rules.install(join(root, file), { version, selection, at: Date.now() }))
      const ms = performance.now() - t0
      clearInterval(timer)
      return { ms: Math.round(ms), peakMB: mb(peak - rss0) }
    }
    const first = await install("v1.tgz", "1", "all")
    figures.firstInstallMs = first.ms
    figures.firstInstallMBs = +(v1.raw / 1e6 / (first.ms / 1000)).toFixed(1)
    figures.firstInstallRssGrowthMB = first.peakMB
    log(
      `rules: verify + install all ${RULE_FILES} files, ${RULE_FILES * RULES_PER_FILE} rules (${figures.archiveMB} MB gzip, ` +
        `${figures.rawMB} MB raw): ${first.ms} ms (${figures.firstInstallMBs} MB/s raw), RSS growth ≤ ${first.peakMB} MB`
    )
    const next = await install("v2.tgz", "2", "all")
    figures.replaceMs = next.ms
    log(`rules: replace with the next version (new generation, switch, prune): ${next.ms} ms`)
    const five = await install("v1.tgz", "3", Array.from({ length: 5 }, (_, i) => `emerging-bench-${i}`))
    figures.fiveCategoriesMs = five.ms
    log(`rules: install 5 of ${RULE_FILES} categories (the whole archive is still verified): ${five.ms} ms`)
    const t0 = performance.now()
    for (let i = 0; i < 20; i++) await Effect.runPromise(rules.inspect)
    figures.inspectMs = +((performance.now() - t0) / 20).toFixed(2)
    log(`rules: the "unchanged and complete?" check: ${figures.inspectMs} ms`)

    // An idle `run` (no task due for a while): memory and CPU of the resident agent.
    const sensor = join(root, "sensor")
    mkdirSync(join(sensor, "usr/local/etc/suricata"), { recursive: true })
    const child = spawn(process.execPath, [`${OUT}cli.js`, "run", "--root", sensor, "--tasks", "rules", "--rules-at", "00:00", "--rules-jitter", "0"], {
      stdio: ["ignore", "ignore", "pipe"]
    })
    let stderr = ""
    child.stderr.on("data", (d) => (stderr += d))
    const t1 = performance.now()
    while (!/run: started/.test(stderr)) {
      if (performance.now() - t1 > 20_000) throw new Error(`run did not start: ${stderr}`)
      await new Promise((r) => setTimeout(r, 10))
    }
    figures.runStartMs = Math.round(performance.now() - t1)
    await new Promise((r) => setTimeout(r, 1000))
    const cpu0 = cpuOf(child.pid)
    await new Promise((r) => setTimeout(r, 5000))
    figures.runIdleCpuMsPer5s = cpuOf(child.pid) - cpu0
    figures.runIdleRssMB = +rssOf(child.pid).toFixed(1)
    const exited = new Promise((r) => child.on("exit", (code) => r(code)))
    const t2 = performance.now()
    child.kill("SIGTERM")
    figures.runExitCode = await exited
    figures.runStopMs = Math.round(performance.now() - t2)
    log(
      `run: from the bundle to "started" ${figures.runStartMs} ms; idle RSS ${figures.runIdleRssMB} MB, CPU ${figures.runIdleCpuMsPer5s} ms per 5 s; ` +
        `SIGTERM → exit ${figures.runExitCode} in ${figures.runStopMs} ms`
    )
    return figures
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run()
}
