// Heartbeat probe figures (issue 4): counting SIDs by streaming a ruleset the size of ET Pro (rules/s, MB/s,
// memory), reading the last block of a large stats.log (only its tail is read), and all probes together
// (stand-in commands included). Runs alone (`node bench/sections/40-heartbeat.mjs`) or from bench/run.mjs.
import { bundle } from "../lib/bundle.mjs"
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const REPO = fileURLToPath(new URL("../../", import.meta.url))
const OUT = `${REPO}bench/data/heartbeat/`

const RULE_FILES = 40
const RULES_PER_FILE = 2_500 // 100k rules: about the size of a full ET Pro ruleset

const rule = (sid, i) =>
  (i % 5 === 0 ? "#" : "") +
  `alert http $HOME_NET any -> $EXTERNAL_NET any (msg:"ET BENCH rule ${sid} with some text"; flow:established,to_server; ` +
  `http.method; content:"POST"; http.uri; content:"/sid:${i};/x"; fast_pattern; pcre:"/\\/a[0-9]{2,}\\;b/U"; ` +
  `reference:url,example.com/${sid}; classtype:trojan-activity; sid:${sid}; rev:${1 + (i % 3)}; ` +
  `metadata:affected_product Any, attack_target Client_Endpoint, created_at 2024_01_01, updated_at 2024_06_01;)`

const DASHES = "-".repeat(84)
const statsBlock = (n) =>
  [
    DASHES,
    `Date: 11/27/2026 -- 10:${String(n % 60).padStart(2, "0")}:00 (uptime: 0d, 01h 00m 08s)`,
    DASHES,
    `${"Counter".padEnd(46)}| ${"TM Name".padEnd(26)}| Value`,
    DASHES,
    ...Array.from({ length: 120 }, (_, k) => `${`counter.number_${k}`.padEnd(46)}| ${"Total".padEnd(26)}| ${n * k}`),
    ...["capture.kernel_packets", "decoder.pkts", "decoder.bytes", "decoder.ipv4", "decoder.ipv6", "flow.tcp", "flow.udp", "detect.alert"].map(
      (c, k) => `${c.padEnd(46)}| ${"Total".padEnd(26)}| ${n * 1000 + k}`
    )
  ].join("\n") + "\n"

const mb = (bytes) => +(bytes / 1e6).toFixed(1)

export async function run(log = console.log) {
  await bundle(OUT, { probe: `${REPO}src/adapters/SystemProbe.ts`, effect: `${REPO}node_modules/effect/dist/esm/index.js` })
  const { Effect } = await import(pathToFileURL(`${OUT}effect.js`).href)
  const probe = await import(pathToFileURL(`${OUT}probe.js`).href)

  const root = mkdtempSync(join(tmpdir(), "bench-heartbeat-"))
  const at = (p) => join(root, p)
  const write = (p, text, mode) => {
    mkdirSync(dirname(at(p)), { recursive: true })
    writeFileSync(at(p), text)
    if (mode !== undefined) chmodSync(at(p), mode)
  }
  const figures = {}
  try {
    // The ruleset.
    let ruleBytes = 0
    const names = []
    for (let f = 0; f < RULE_FILES; f++) {
      const name = `emerging-bench-${f}.rules`
      names.push(name)
      const text = Array.from({ length: RULES_PER_FILE }, (_, i) => rule(2_000_000 + f * RULES_PER_FILE + i, i)).join("\n") + "\n"
      ruleBytes += Buffer.byteLength(text)
      write(`/etc/opnsense.rules/${name}`, text)
    }
    write("/etc/installed_rules.yaml", `rule-files:\n${names.map((n) => `  - ${n}`).join("\n")}\n`)
    const enabled = RULE_FILES * RULES_PER_FILE * 0.8

    // stats.log: ~100 MB of older blocks, the newest last.
    const block = statsBlock(1)
    const blocks = Math.ceil(100e6 / block.length)
    const statsPath = at("/log/stats.log")
    mkdirSync(dirname(statsPath), { recursive: true })
    writeFileSync(statsPath, block.repeat(blocks) + statsBlock(59))
    const statsBytes = blocks * block.length

    write("/bin/opnsense-version", "#!/bin/sh\necho 24.7.5\n", 0o755)
    write("/bin/suricata", "#!/bin/sh\necho 'This is Suricata version 7.0.6 RELEASE'\n", 0o755)
    write("/bin/rc-suricata", "#!/bin/sh\nexit 0\n", 0o755)
    write("/etc/suricata.yaml", "af-packet:\n  - interface: em0\n")
    write("/etc/telemetry_sids.txt", Array.from({ length: 5000 }, (_, i) => 2_000_000 + i * 7).join("\n"))
    write("/etc/telemetry_version.json", '#@opnsense_download_hash:abc\n{"version":"10432"}\n')

    const rssBefore = process.memoryUsage().rss
    let peakRss = rssBefore
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 5)
    const t0 = performance.now()
    const sids = await Effect.runPromise(probe.installedSids(at("/etc/installed_rules.yaml"), at("/etc/opnsense.rules")))
    const sidMs = performance.now() - t0
    clearInterval(sampler)
    if (sids._tag !== "Found" || sids.value.size !== enabled) throw new Error(`expected ${enabled} SIDs, got ${sids.value?.size}`)
    figures.ruleFiles = RULE_FILES
    figures.rules = RULE_FILES * RULES_PER_FILE
    figures.ruleMB = mb(ruleBytes)
    figures.sidCountMs = Math.round(sidMs)
    figures.rulesPerSec = Math.round(figures.rules / (sidMs / 1000))
    figures.ruleMBPerSec = +(ruleBytes / 1e6 / (sidMs / 1000)).toFixed(1)
    figures.sidCountRssGrowthMB = mb(peakRss - rssBefore)
    log(
      `heartbeat: SIDs of ${figures.rules} rules in ${RULE_FILES} files (${figures.ruleMB} MB): ${figures.sidCountMs} ms, ` +
        `${figures.rulesPerSec} rules/s, ${figures.ruleMBPerSec} MB/s, RSS +${figures.sidCountRssGrowthMB} MB (80% enabled counted)`
    )

    const t1 = performance.now()
    const stats = await Effect.runPromise(probe.lastStats(statsPath))
    figures.statsLogMB = mb(statsBytes)
    figures.statsTailMs = +(performance.now() - t1).toFixed(1)
    if (stats._tag !== "Found" || stats.value.counters.get("decoder.pkts") !== 59_001) throw new Error("wrong stats block")
    log(`heartbeat: last block of a ${figures.statsLogMB} MB stats.log: ${figures.statsTailMs} ms (tail read only)`)

    const svc = probe.make({
      suricataYaml: at("/etc/suricata.yaml"),
      installedRules: at("/etc/installed_rules.yaml"),
      opnsenseRulesDir: at("/etc/opnsense.rules"),
      telemetrySids: at("/etc/telemetry_sids.txt"),
      telemetryVersion: at("/etc/telemetry_version.json"),
      statsLog: statsPath,
      commands: { opnsenseVersion: at("/bin/opnsense-version"), suricata: at("/bin/suricata"), suricataRc: at("/bin/rc-suricata") }
    })
    const t2 = performance.now()
    const facts = await Effect.runPromise(svc.facts)
    figures.allProbesMs = Math.round(performance.now() - t2)
    const missing = Object.entries(facts).filter(([, p]) => p._tag !== "Found").map(([k]) => k)
    if (missing.length > 0) throw new Error(`probes without a value: ${missing.join(", ")}`)
    log(`heartbeat: all 8 probes together (3 stand-in commands, concurrently): ${figures.allProbesMs} ms`)
    return figures
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run()
}
