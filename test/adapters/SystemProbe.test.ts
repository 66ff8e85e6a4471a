import { afterEach, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { existsSync } from "node:fs"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import * as SystemProbe from "../../src/adapters/SystemProbe.js"
import { assembleHeartbeat, problems, type SensorFacts } from "../../src/domain/Heartbeat.js"
import { DEFAULTS } from "../../src/domain/Paths.js"
import {
  ENABLED_SIDS,
  script,
  type SensorTree,
  sensorTree,
  STATS_LAST,
  statsBlock,
  totals
} from "../support/SensorTree.js"

const trees: Array<SensorTree> = []
afterEach(async () => {
  await Promise.all(trees.splice(0).map((t) => t.cleanup()))
})
const tree = (f: () => Promise<SensorTree>) =>
  Effect.promise(async () => {
    const t = await f()
    trees.push(t)
    return t
  })

const factsOf = (t: SensorTree, commandTimeoutMs = 5000) =>
  SystemProbe.make(t.paths, { commandTimeoutMs }).facts

const NOW = Date.parse("2026-11-27T10:00:00Z")

const statsLog = "/var/log/suricata/stats.log"
const versionFile = "/usr/local/etc/suricata/rules/telemetry_version.json"

describe("SystemProbe", () => {
  it.effect("finds every fact of an IDS sensor (version file with the download-hash line)", () =>
    Effect.gen(function* () {
      const t = yield* tree(() => sensorTree({ mode: "IDS", hashLine: true }))
      const facts = yield* factsOf(t)
      const hb = assembleHeartbeat(facts, NOW)
      expect(hb).toEqual({
        software_version: "24.7.5",
        suricata_version: "7.0.6 RELEASE",
        suricata_status: "Running",
        system_time: NOW / 1000,
        ruleset_version: "10432",
        total_enabled_rules: ENABLED_SIDS.length,
        total_enabled_telemetry_rules: 2,
        mode: "IDS",
        log_stats: {
          "capture.kernel_packets": STATS_LAST["capture.kernel_packets"],
          "decoder.pkts": STATS_LAST["decoder.pkts"],
          "decoder.bytes": STATS_LAST["decoder.bytes"],
          "decoder.ipv4": STATS_LAST["decoder.ipv4"],
          "decoder.ipv6": STATS_LAST["decoder.ipv6"],
          "flow.tcp": STATS_LAST["flow.tcp"],
          "flow.udp": STATS_LAST["flow.udp"],
          "detect.alert": STATS_LAST["detect.alert"]
        }
      })
      expect(facts.installedSids._tag === "Found" && [...facts.installedSids.value].sort()).toEqual(ENABLED_SIDS)
    })
  )

  it.effect("IPS mode, a version file without the hash line, Suricata stopped", () =>
    Effect.gen(function* () {
      const t = yield* tree(() => sensorTree({ mode: "IPS", hashLine: false, running: false }))
      const hb = assembleHeartbeat(yield* factsOf(t), NOW)
      expect(hb.mode).toBe("IPS")
      expect(hb.ruleset_version).toBe("10432")
      expect(hb.suricata_status).toBe("Stopped")
    })
  )

  it.effect("each probe that fails gives ERROR, says why, and leaves the others alone", () =>
    Effect.gen(function* () {
      const t = yield* tree(() => sensorTree())
      yield* Effect.promise(async () => {
        await t.write(DEFAULTS.opnsenseVersion, script("echo 1"), 0o644)
        await t.write(DEFAULTS.suricata, script(`printf 'This is Suricata version 7\\377\\n'`), 0o755)
        await t.write(versionFile, "#@opnsense_download_hash:abc\n{not json")
        // Our reading of installed_rules.yaml is YAML (system.py scans `- x.rules` lines and cannot fail here).
        await t.write(DEFAULTS.installedRules, "rule-files: [unclosed\n  - : :")
        await t.write(DEFAULTS.suricataYaml, Buffer.from("x: \xff\n", "latin1") as unknown as string)
      })
      const facts = yield* factsOf(t)
      const hb = assembleHeartbeat(facts, NOW)
      expect(hb.software_version).toBe("ERROR")
      expect(hb.suricata_version).toBe("ERROR")
      expect(hb.ruleset_version).toBe("ERROR")
      expect(hb.total_enabled_rules).toBe("ERROR")
      expect(hb.total_enabled_telemetry_rules).toBe("ERROR")
      expect(hb.mode).toBe("ERROR")
      // Untouched probes still answer.
      expect(hb.suricata_status).toBe("Running")
      expect(hb.log_stats).toMatchObject({ "detect.alert": STATS_LAST["detect.alert"] })
      expect(facts.telemetrySids._tag).toBe("Found")
      expect(facts.softwareVersion._tag === "Failed" && facts.softwareVersion.detail).toMatch(/EACCES/)
      expect(facts.suricataVersion._tag === "Failed" && facts.suricataVersion.detail).toMatch(/not UTF-8/)
      expect(problems(facts).join("\n")).toMatch(/^mode: "ERROR" \(.*suricata\.yaml: .*utf-8/m)
    })
  )

  it.effect("a program that exits non-zero: its stdout is still the value (as system.py sends it), with a note", () =>
    Effect.gen(function* () {
      const t = yield* tree(() => sensorTree())
      yield* Effect.promise(() => t.write(DEFAULTS.opnsenseVersion, script(`echo "25.7"\necho "boom" >&2\nexit 3`), 0o755))
      const facts = yield* factsOf(t)
      expect(facts.softwareVersion).toMatchObject({ _tag: "Found", value: "25.7" })
      expect(problems(facts)).toEqual([expect.stringMatching(/^software_version: "25\.7" \(.*opnsense-version -v exited 3: boom\)$/)])
    })
  )

  it.effect("a command that hangs is killed at the timeout and gives ERROR", () =>
    Effect.gen(function* () {
      const t = yield* tree(() => sensorTree())
      yield* Effect.promise(() => t.write(DEFAULTS.suricataRc, script("exec sleep 30"), 0o755))
      const started = Date.now()
      const facts = yield* factsOf(t, 300)
      expect(Date.now() - started).toBeLessThan(10_000)
      expect(facts.suricataRunning._tag).toBe("Failed")
      expect(facts.suricataVersion).toEqual({ _tag: "Found", value: "7.0.6 RELEASE" })
    })
  )

  it.effect("a command file that is not executable gives ERROR, not NOTFOUND", () =>
    Effect.gen(function* () {
      const t = yield* tree(() => sensorTree())
      yield* Effect.promise(() => t.write(DEFAULTS.opnsenseVersion, script("echo 1"), 0o644))
      const facts = yield* factsOf(t)
      // No execute bit for anyone: even root gets EACCES.
      expect(facts.softwareVersion._tag).toBe("Failed")
      expect(facts.softwareVersion._tag === "Failed" && facts.softwareVersion.detail).toMatch(/EACCES/)
    })
  )

  it.effect("commands run without a shell: a root path full of shell metacharacters is just a path", () =>
    Effect.gen(function* () {
      const t = yield* tree(() => sensorTree({ awkwardName: true }))
      const facts = yield* factsOf(t)
      expect(facts.softwareVersion).toEqual({ _tag: "Found", value: "24.7.5" })
      expect(facts.suricataRunning).toEqual({ _tag: "Found", value: true })
      expect(existsSync(join(process.cwd(), "pwned"))).toBe(false)
      expect(existsSync(join(t.root, "..", "pwned"))).toBe(false)
    })
  )

  it.effect("installed rule files missing from opnsense.rules: skipped; all missing → no SIDs, said in a note", () =>
    Effect.gen(function* () {
      const t = yield* tree(() => sensorTree())
      yield* Effect.promise(() => t.remove("/usr/local/etc/suricata/opnsense.rules/emerging-b.rules"))
      const some = yield* factsOf(t)
      expect(some.installedSids._tag === "Found" && [...some.installedSids.value].sort()).toEqual([2000001, 2000003])
      expect(some.installedSids.detail).toBeUndefined()
      yield* Effect.promise(() => t.remove("/usr/local/etc/suricata/opnsense.rules"))
      const none = yield* factsOf(t)
      expect(none.installedSids).toMatchObject({ _tag: "Found", value: new Set() })
      expect(problems(none)).toEqual([expect.stringMatching(/^total_enabled_rules: 0 \(none of the 3 rule files of .*installed_rules\.yaml/)])
    })
  )

  it.effect("a telemetry SID list that is missing: only the telemetry count changes, to 0, with a note", () =>
    Effect.gen(function* () {
      const t = yield* tree(() => sensorTree())
      yield* Effect.promise(() => t.remove("/usr/local/etc/suricata/rules/telemetry_sids.txt"))
      const facts = yield* factsOf(t)
      const hb = assembleHeartbeat(facts, NOW)
      expect(hb.total_enabled_rules).toBe(ENABLED_SIDS.length)
      expect(hb.total_enabled_telemetry_rules).toBe(0)
      expect(problems(facts)).toEqual([expect.stringMatching(/^total_enabled_telemetry_rules: 0 \(.*telemetry_sids\.txt not found\)$/)])
    })
  )

  it.effect("stats.log: a last block larger than the first tail window, Total rows before thread rows", () =>
    Effect.gen(function* () {
      const t = yield* tree(() => sensorTree())
      const old = statsBlock("11/27/2026 -- 09:00:00", totals({ "decoder.pkts": 1, "detect.alert": 1, "flow.udp": 1 }))
      // As log-stats.c writes with `threads: yes`: the Total rows, then every thread's rows (here ~400 KB).
      const threads = Array.from({ length: 4000 }, (_, i) => ["decoder.pkts", `W#${i}-em0`, i] as const)
      const last = statsBlock("11/27/2026 -- 10:00:00", [...totals({ "decoder.pkts": 1000, "detect.alert": 11 }), ...threads])
      const text = old.repeat(Math.ceil(2_000_000 / old.length)) + last
      expect(last.length).toBeGreaterThan(256 * 1024)
      yield* Effect.promise(() => writeFile(join(t.root, statsLog), text))
      const hb = assembleHeartbeat(yield* factsOf(t), NOW)
      // flow.udp is only in older blocks: null now.
      expect(hb.log_stats).toMatchObject({ "decoder.pkts": 1000, "detect.alert": 11, "flow.udp": null })
    })
  )

  it.effect("stats.log with no ------ line in its last 16 MiB: ERROR (system.py would read all of it)", () =>
    Effect.gen(function* () {
      const t = yield* tree(() => sensorTree())
      yield* Effect.promise(() => writeFile(join(t.root, statsLog), "x".repeat(17 * 1024 * 1024)))
      const facts = yield* factsOf(t)
      expect(assembleHeartbeat(facts, NOW).log_stats).toBe("ERROR")
      expect(facts.stats._tag === "Failed" && facts.stats.detail).toMatch(/no ------ line/)
    })
  )

  it.effect("an empty (just rotated) stats.log: every counter null, not an error", () =>
    Effect.gen(function* () {
      const t = yield* tree(() => sensorTree())
      yield* Effect.promise(() => t.write(statsLog, ""))
      const hb = assembleHeartbeat(yield* factsOf(t), NOW)
      expect(hb.log_stats).toEqual({
        "capture.kernel_packets": null,
        "decoder.pkts": null,
        "decoder.bytes": null,
        "decoder.ipv4": null,
        "decoder.ipv6": null,
        "flow.tcp": null,
        "flow.udp": null,
        "detect.alert": null
      })
    })
  )

  it.effect("the layer and the static test layer serve facts through the tag", () =>
    Effect.gen(function* () {
      const t = yield* tree(() => sensorTree())
      const live = yield* Effect.provide(
        Effect.flatMap(SystemProbe.SystemProbe, (p) => p.facts),
        SystemProbe.layer(t.paths)
      )
      const fixed: SensorFacts = { ...live, softwareVersion: { _tag: "Found", value: "test" } }
      const got = yield* Effect.provide(
        Effect.flatMap(SystemProbe.SystemProbe, (p) => p.facts),
        SystemProbe.layerStatic(fixed)
      )
      expect(got.softwareVersion).toEqual({ _tag: "Found", value: "test" })
      expect(live.softwareVersion).toEqual({ _tag: "Found", value: "24.7.5" })
    })
  )
})
