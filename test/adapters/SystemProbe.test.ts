import { afterEach, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { existsSync } from "node:fs"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import * as SystemProbe from "../../src/adapters/SystemProbe.js"
import { assembleHeartbeat, type SensorFacts } from "../../src/domain/Heartbeat.js"
import { DEFAULTS } from "../../src/domain/Paths.js"
import {
  emptyTree,
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

  it.effect("an empty root: every probe NOTFOUND, the heartbeat still complete", () =>
    Effect.gen(function* () {
      const t = yield* tree(() => emptyTree())
      const hb = assembleHeartbeat(yield* factsOf(t), NOW)
      expect(hb).toEqual({
        software_version: "NOTFOUND",
        suricata_version: "NOTFOUND",
        suricata_status: "NOTFOUND",
        system_time: NOW / 1000,
        ruleset_version: "NOTFOUND",
        total_enabled_rules: "NOTFOUND",
        total_enabled_telemetry_rules: "NOTFOUND",
        mode: "NOTFOUND",
        log_stats: "NOTFOUND"
      })
    })
  )

  it.effect("each broken probe gives ERROR and leaves the others alone", () =>
    Effect.gen(function* () {
      const t = yield* tree(() => sensorTree())
      yield* Effect.promise(async () => {
        await t.write(DEFAULTS.opnsenseVersion, script(`echo "boom" >&2\nexit 3`), 0o755)
        await t.write(DEFAULTS.suricata, script(`echo "Suricata, build unknown"`), 0o755)
        await t.write(versionFile, "#@opnsense_download_hash:abc\n{not json")
        await t.write(DEFAULTS.installedRules, "rule-files: [unclosed\n  - : :")
        await t.write(statsLog, "no blocks here\n")
        await t.write(DEFAULTS.suricataYaml, "x", 0o000)
      })
      const facts = yield* factsOf(t)
      const hb = assembleHeartbeat(facts, NOW)
      expect(hb.software_version).toBe("ERROR")
      expect(hb.suricata_version).toBe("ERROR")
      expect(hb.ruleset_version).toBe("ERROR")
      expect(hb.total_enabled_rules).toBe("ERROR")
      expect(hb.total_enabled_telemetry_rules).toBe("ERROR")
      expect(hb.log_stats).toBe("ERROR")
      // Running as root reads a 000 file anyway; elsewhere it is unreadable.
      expect(hb.mode).toBe(process.getuid?.() === 0 ? "IDS" : "ERROR")
      // Untouched probes still answer.
      expect(hb.suricata_status).toBe("Running")
      expect(facts.telemetrySids._tag).toBe("Found")
      expect(facts.softwareVersion._tag === "Failed" && facts.softwareVersion.detail).toMatch(/exited 3: boom/)
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

  it.effect("installed rule files missing from opnsense.rules: skipped; all missing → NOTFOUND", () =>
    Effect.gen(function* () {
      const t = yield* tree(() => sensorTree())
      yield* Effect.promise(() => t.remove("/usr/local/etc/suricata/opnsense.rules/emerging-b.rules"))
      const some = yield* factsOf(t)
      expect(some.installedSids._tag === "Found" && [...some.installedSids.value].sort()).toEqual([2000001, 2000003])
      yield* Effect.promise(() => t.remove("/usr/local/etc/suricata/opnsense.rules"))
      const none = yield* factsOf(t)
      expect(none.installedSids._tag).toBe("NotFound")
    })
  )

  it.effect("a telemetry SID list that is missing makes only the telemetry count NOTFOUND", () =>
    Effect.gen(function* () {
      const t = yield* tree(() => sensorTree())
      yield* Effect.promise(() => t.remove("/usr/local/etc/suricata/rules/telemetry_sids.txt"))
      const hb = assembleHeartbeat(yield* factsOf(t), NOW)
      expect(hb.total_enabled_rules).toBe(ENABLED_SIDS.length)
      expect(hb.total_enabled_telemetry_rules).toBe("NOTFOUND")
    })
  )

  it.effect("stats.log: the last block of a file much larger than the tail window, per-thread rows summed", () =>
    Effect.gen(function* () {
      const t = yield* tree(() => sensorTree())
      const old = statsBlock("11/27/2026 -- 09:00:00", totals({ "decoder.pkts": 1, "detect.alert": 1 }))
      const threads = [
        ["decoder.pkts", "W#01-em0", 700],
        ["decoder.pkts", "W#02-em0", 300],
        ["detect.alert", "W#01-em0", 5],
        ["detect.alert", "W#02-em0", 6],
        ["flow.tcp", "FM#01", 9],
        ["flow.tcp", "Total", 77]
      ] as const
      // ~2 MB of older blocks, then the newest: the reader must look past its first 256 KiB window only if needed.
      const text = old.repeat(Math.ceil(2_000_000 / old.length)) + statsBlock("11/27/2026 -- 10:00:00", threads)
      yield* Effect.promise(() => writeFile(join(t.root, statsLog), text))
      const facts = yield* factsOf(t)
      expect(facts.stats._tag).toBe("Found")
      const hb = assembleHeartbeat(facts, NOW)
      expect(hb.log_stats).toMatchObject({ "decoder.pkts": 1000, "detect.alert": 11, "flow.tcp": 77, "decoder.ipv4": null })
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
