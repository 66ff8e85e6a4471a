/**
 * The heartbeat against the stock plugin's behaviour, key by key (issue 21 point 4, SPEC section 6).
 *
 * STOCK is the table of what the stock `os-etpro-telemetry` sends, read from its source: opnsense/plugins at
 * 8e4722853f81 (plugin 1.8_3), security/etpro-telemetry/src/opnsense/scripts/etpro_telemetry/
 * telemetry/system.py (unchanged since 89f57e69d), `__init__.py` `telemetry_sids()` and `log.py`
 * `reverse_log_reader()`. "L" numbers are system.py's lines. The facts it rests on: `Stats.get()` (L131-142)
 * turns `FileNotFoundError` into "NOTFOUND" and any other exception into "ERROR"; each file is guarded by
 * `os.path.isfile` first, so a missing file is never an exception there; the SID sets are built in `__init__`
 * (L34-58) and stay empty without their files; `subprocess.run` (L62, L66, L73) raises FileNotFoundError only
 * when exec finds no program, ignores the exit code, and decodes the output strictly (`text=True`).
 *
 * Each row changes one thing on a sensor tree whose every fact is present and checks that exactly the keys it
 * names change, to the stock values: once through the SystemProbe adapter on a real temp dir, once through the
 * pure assembly (domain/Heartbeat) from the probe result the row names.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as SystemProbe from "../../src/adapters/SystemProbe.js"
import { assembleHeartbeat, failed, found, type HeartbeatBody, notFound, type SensorFacts } from "../../src/domain/Heartbeat.js"
import { DEFAULTS } from "../../src/domain/Paths.js"
import { emptyTree, script, type SensorTree, sensorTree, statsBlock, totals } from "../support/SensorTree.js"

const NOW = Date.parse("2026-11-27T10:00:00Z")
const S = "/usr/local/etc/suricata"
const VERSION = `${S}/rules/telemetry_version.json`
const STATS = "/var/log/suricata/stats.log"
const NULLS = {
  "capture.kernel_packets": null,
  "decoder.pkts": null,
  "decoder.bytes": null,
  "decoder.ipv4": null,
  "decoder.ipv6": null,
  "flow.tcp": null,
  "flow.udp": null,
  "detect.alert": null
}

interface Row {
  readonly case: string
  /** Where system.py says so. */
  readonly stock: string
  /** The one change to a complete sensor tree. */
  readonly arrange: (t: SensorTree) => Promise<void>
  /** What the adapter probes from it, for the pure assembly (rows about reading text leave it out). */
  readonly fact?: Partial<SensorFacts>
  /** The keys that change, and their stock values. */
  readonly sends: Partial<HeartbeatBody>
}

const write = (path: string, text: string | Buffer, mode?: number) => (t: SensorTree) =>
  t.write(path, text as string, mode)
const remove = (path: string) => (t: SensorTree) => t.remove(path)
const gone = notFound("missing in this row")
const broken = failed("broken in this row")

const STOCK: ReadonlyArray<Row> = [
  // --- missing programs: the only NOTFOUNDs ---
  { case: "opnsense-version missing", stock: "L62 run() raises FileNotFoundError; L137-138", arrange: remove(DEFAULTS.opnsenseVersion), fact: { softwareVersion: gone }, sends: { software_version: "NOTFOUND" } },
  { case: "suricata missing", stock: "L66 run() raises FileNotFoundError; L137-138", arrange: remove(DEFAULTS.suricata), fact: { suricataVersion: gone }, sends: { suricata_version: "NOTFOUND" } },
  { case: "rc.d/suricata missing", stock: "L73 run() raises FileNotFoundError; L137-138", arrange: remove(DEFAULTS.suricataRc), fact: { suricataRunning: gone }, sends: { suricata_status: "NOTFOUND" } },
  { case: "rc.d/suricata's interpreter missing (exec says ENOENT)", stock: "L73 FileNotFoundError; L137-138", arrange: write(DEFAULTS.suricataRc, "#!/nonexistent/sh\nexit 0\n", 0o755), fact: { suricataRunning: gone }, sends: { suricata_status: "NOTFOUND" } },
  // --- missing files: the stock plugin's own values ---
  { case: "telemetry_version.json missing", stock: "L82 isfile false → L91 return None", arrange: remove(VERSION), fact: { rulesetVersion: gone }, sends: { ruleset_version: null } },
  { case: "telemetry_version.json a directory", stock: "L82 isfile false → L91 None", arrange: async (t) => { await t.remove(VERSION); await t.write(`${VERSION}/x`, "") }, fact: { rulesetVersion: gone }, sends: { ruleset_version: null } },
  { case: "installed_rules.yaml missing", stock: "L42 isfile false → empty set; L94, L97 len() 0", arrange: remove(DEFAULTS.installedRules), fact: { installedSids: gone }, sends: { total_enabled_rules: 0, total_enabled_telemetry_rules: 0 } },
  { case: "every rule file it names missing", stock: "L48 isfile false → skipped; L94, L97 0", arrange: remove(`${S}/opnsense.rules`), fact: { installedSids: found(new Set<number>()) }, sends: { total_enabled_rules: 0, total_enabled_telemetry_rules: 0 } },
  { case: "telemetry_sids.txt missing", stock: "__init__.py telemetry_sids() isfile false → empty set; L97 0", arrange: remove(`${S}/rules/telemetry_sids.txt`), fact: { telemetrySids: gone }, sends: { total_enabled_telemetry_rules: 0 } },
  { case: "suricata.yaml missing", stock: "L103 isfile false → L108 \"IDS\"", arrange: remove(DEFAULTS.suricataYaml), fact: { ipsMode: gone }, sends: { mode: "IDS" } },
  { case: "stats.log missing", stock: "L116 isfile false → L129 {} (no keys added)", arrange: remove(STATS), fact: { stats: gone }, sends: { log_stats: {} } },
  { case: "stats.log a directory", stock: "L116 isfile false → {}", arrange: async (t) => { await t.remove(STATS); await t.write(`${STATS}/x`, "") }, fact: { stats: gone }, sends: { log_stats: {} } },
  { case: "stats.log empty (just rotated)", stock: "L117 no lines; L125-127 every statistic None", arrange: write(STATS, ""), fact: { stats: found({ counters: new Map() }) }, sends: { log_stats: NULLS } },
  { case: "a statistic missing from stats.log's last block", stock: "L118-119 stops at the last ------; L125-127 None", arrange: write(STATS, statsBlock("a", totals({ "flow.udp": 3, "decoder.pkts": 1 })) + statsBlock("b", totals({ "decoder.pkts": 2 }))), fact: { stats: found({ counters: new Map([["decoder.pkts", 2]]) }) }, sends: { log_stats: { ...NULLS, "decoder.pkts": 2 } } },
  // --- failures: ERROR, or what system.py sends anyway ---
  { case: "opnsense-version not executable", stock: "L62 PermissionError → L139-140 \"ERROR\"", arrange: write(DEFAULTS.opnsenseVersion, script("echo 1"), 0o644), fact: { softwareVersion: broken }, sends: { software_version: "ERROR" } },
  { case: "opnsense-version prints bytes that are not UTF-8", stock: "L62 text=True UnicodeDecodeError → \"ERROR\"", arrange: write(DEFAULTS.opnsenseVersion, script('printf "25.7\\377\\n"'), 0o755), fact: { softwareVersion: broken }, sends: { software_version: "ERROR" } },
  { case: "opnsense-version exits 3 after printing", stock: "L62 exit code ignored, stdout.strip()", arrange: write(DEFAULTS.opnsenseVersion, script('echo "25.7"\necho boom >&2\nexit 3'), 0o755), sends: { software_version: "25.7" } },
  { case: "opnsense-version exits 1 silently", stock: "L62 stdout.strip() of nothing", arrange: write(DEFAULTS.opnsenseVersion, script("exit 1"), 0o755), sends: { software_version: "" } },
  { case: "suricata -V without \" version \"", stock: "L67 find() is -1, true → L68 tmp[8:]", arrange: write(DEFAULTS.suricata, script('echo "Suricata 8.0.0 RELEASE"'), 0o755), sends: { suricata_version: " 8.0.0 RELEASE" } },
  { case: "suricata -V printing on stderr only", stock: "L66 stdout only", arrange: write(DEFAULTS.suricata, script('echo "This is Suricata version 7.0.6 RELEASE" >&2'), 0o755), sends: { suricata_version: "" } },
  { case: "rc.d/suricata status exits 1", stock: "L74 returncode != 0", arrange: write(DEFAULTS.suricataRc, script("exit 1"), 0o755), fact: { suricataRunning: found(false) }, sends: { suricata_status: "Stopped" } },
  { case: "rc.d/suricata status killed by a signal", stock: "L74 returncode -9 != 0", arrange: write(DEFAULTS.suricataRc, script("kill -9 $$"), 0o755), fact: { suricataRunning: found(false) }, sends: { suricata_status: "Stopped" } },
  { case: "telemetry_version.json not JSON", stock: "L88 loads() raises → \"ERROR\"", arrange: write(VERSION, "#@opnsense_download_hash:abc\n{not json"), fact: { rulesetVersion: broken }, sends: { ruleset_version: "ERROR" } },
  { case: "telemetry_version.json only the hash line", stock: "L87 find('\\n') -1 keeps it; L88 raises", arrange: write(VERSION, "#@opnsense_download_hash:abc"), sends: { ruleset_version: "ERROR" } },
  { case: "telemetry_version.json empty", stock: "L88 loads('') raises", arrange: write(VERSION, ""), sends: { ruleset_version: "ERROR" } },
  { case: "telemetry_version.json without version", stock: "L89 'version' not in data → L91 None", arrange: write(VERSION, '{"v": 1}'), fact: { rulesetVersion: found(null) }, sends: { ruleset_version: null } },
  { case: "telemetry_version.json with a numeric version", stock: "L90 data['version'] as it is", arrange: write(VERSION, '{"version": 10432}'), sends: { ruleset_version: 10432 } },
  { case: "telemetry_version.json with version null", stock: "L90 None", arrange: write(VERSION, '{"version": null}'), sends: { ruleset_version: null } },
  { case: "telemetry_version.json a JSON string holding \"version\"", stock: "L89 substring test true; L90 str index TypeError", arrange: write(VERSION, '"a version"'), sends: { ruleset_version: "ERROR" } },
  { case: "telemetry_version.json a JSON string without it", stock: "L89 false → None", arrange: write(VERSION, '"abc"'), sends: { ruleset_version: null } },
  { case: "telemetry_version.json a list holding \"version\"", stock: "L90 list index TypeError", arrange: write(VERSION, '["version"]'), sends: { ruleset_version: "ERROR" } },
  { case: "telemetry_version.json a number", stock: "L89 `in` on an int: TypeError", arrange: write(VERSION, "7"), sends: { ruleset_version: "ERROR" } },
  { case: "suricata.yaml not UTF-8", stock: "L105 text read UnicodeDecodeError → \"ERROR\"", arrange: write(DEFAULTS.suricataYaml, Buffer.from("stream:\n  inline: \xff\n", "latin1")), fact: { ipsMode: broken }, sends: { mode: "ERROR" } },
  { case: "stats.log with no ------ line", stock: "L117-123 the whole file is read back", arrange: write(STATS, "decoder.pkts | Total | 9\nnoise\n"), sends: { log_stats: { ...NULLS, "decoder.pkts": 9 } } },
  { case: "stats.log values that are not digits", stock: "L123 parts[2] kept as text", arrange: write(STATS, statsBlock("d", [["decoder.pkts", "Total", "5x" as unknown as number], ["flow.tcp", "Total", "" as unknown as number]])), sends: { log_stats: { ...NULLS, "decoder.pkts": "5x", "flow.tcp": "" } } },
  { case: "stats.log with thread rows only", stock: "L117-123 read upwards, the topmost row wins", arrange: write(STATS, statsBlock("d", [["decoder.pkts", "W#01-em0", 5], ["decoder.pkts", "W#02-em0", 7]])), sends: { log_stats: { ...NULLS, "decoder.pkts": 5 } } },
  { case: "stats.log with totals and thread rows", stock: "log-stats.c writes Total rows first: they win", arrange: write(STATS, statsBlock("d", [["decoder.pkts", "Total", 12], ["decoder.pkts", "W#01-em0", 5], ["decoder.pkts", "W#02-em0", 7]])), sends: { log_stats: { ...NULLS, "decoder.pkts": 12 } } }
]

/** Every fact present: the tree of test/support/SensorTree.ts. */
const BASELINE: HeartbeatBody = {
  software_version: "24.7.5",
  suricata_version: "7.0.6 RELEASE",
  suricata_status: "Running",
  system_time: NOW / 1000,
  ruleset_version: "10432",
  total_enabled_rules: 4,
  total_enabled_telemetry_rules: 2,
  mode: "IDS",
  log_stats: {
    "capture.kernel_packets": 123456,
    "decoder.pkts": 123400,
    "decoder.bytes": 98765432,
    "decoder.ipv4": 120000,
    "decoder.ipv6": 3400,
    "flow.tcp": 4000,
    "flow.udp": 2500,
    "detect.alert": 42
  }
}

const probe = (t: SensorTree) => SystemProbe.make(t.paths, { commandTimeoutMs: 5000 }).facts

let baselineFacts: SensorFacts
beforeAll(async () => {
  const t = await sensorTree()
  try {
    baselineFacts = await Effect.runPromise(probe(t))
  } finally {
    await t.cleanup()
  }
})

describe("the heartbeat sends what the stock plugin sends (system.py), key by key", () => {
  it("the table covers every key that can be missing or fail", () => {
    const keys = new Set(STOCK.flatMap((r) => Object.keys(r.sends)))
    expect([...keys].sort()).toEqual(
      ["software_version", "suricata_version", "suricata_status", "ruleset_version", "total_enabled_rules", "total_enabled_telemetry_rules", "mode", "log_stats"].sort()
    )
    expect(assembleHeartbeat(baselineFacts, NOW)).toEqual(BASELINE)
  })

  describe("the SystemProbe adapter on a real sensor tree", () => {
    const trees: Array<SensorTree> = []
    afterAll(async () => {
      await Promise.all(trees.map((t) => t.cleanup()))
    })
    for (const row of STOCK) {
      it.effect(`${row.case}: ${JSON.stringify(row.sends)} (${row.stock})`, () =>
        Effect.gen(function* () {
          const t = yield* Effect.promise(() => sensorTree())
          trees.push(t)
          yield* Effect.promise(() => row.arrange(t))
          expect(assembleHeartbeat(yield* probe(t), NOW)).toEqual({ ...BASELINE, ...row.sends })
        })
      )
    }
  })

  describe("the pure assembly, from the probe result", () => {
    for (const row of STOCK.filter((r) => r.fact !== undefined)) {
      it(`${row.case}: ${JSON.stringify(row.sends)}`, () => {
        expect(assembleHeartbeat({ ...baselineFacts, ...row.fact }, NOW)).toEqual({ ...BASELINE, ...row.sends })
      })
    }
  })

  it.effect("an empty root: each key's stock value at once, the heartbeat still complete", () =>
    Effect.gen(function* () {
      const t = yield* Effect.promise(() => emptyTree())
      const hb = assembleHeartbeat(yield* probe(t), NOW)
      yield* Effect.promise(() => t.cleanup())
      expect(hb).toEqual({
        software_version: "NOTFOUND",
        suricata_version: "NOTFOUND",
        suricata_status: "NOTFOUND",
        system_time: NOW / 1000,
        ruleset_version: null,
        total_enabled_rules: 0,
        total_enabled_telemetry_rules: 0,
        mode: "IDS",
        log_stats: {}
      })
    })
  )
})
