/**
 * Heartbeat assembly (SPEC section 6): whatever the probes found, the body has exactly the keys of the SPEC,
 * each of the right type; a fact becomes the value the stock plugin's telemetry/system.py sends (a missing
 * program "NOTFOUND", a missing file its own stock value, any other failure "ERROR"), and one fact never leaks
 * into another key. The stock values, case by case with system.py's lines: test/adapters/SystemProbe.stock.test.ts.
 */
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import {
  assembleHeartbeat,
  HEARTBEAT_COUNTERS,
  HEARTBEAT_KEYS,
  isInlineMode,
  type Probe,
  problems,
  type Json,
  rulesetVersionOf,
  type SensorFacts,
  suricataVersionOf
} from "../../src/domain/Heartbeat.js"
import type { StatsBlock } from "../../src/domain/StatsLog.js"
import { IDS_YAML, IPS_YAML } from "../support/SensorTree.js"

const probe = <A>(value: fc.Arbitrary<A>): fc.Arbitrary<Probe<A>> =>
  fc.oneof(
    value.map((v) => ({ _tag: "Found" as const, value: v })),
    fc.tuple(value, fc.string()).map(([v, detail]) => ({ _tag: "Found" as const, value: v, detail })),
    fc.string().map((detail) => ({ _tag: "NotFound" as const, detail })),
    fc.string().map((detail) => ({ _tag: "Failed" as const, detail }))
  )

const sids = fc.uniqueArray(fc.integer({ min: 1, max: 100 }), { maxLength: 60 }).map((a) => new Set(a))
const counterName = fc.oneof(fc.constantFrom(...HEARTBEAT_COUNTERS), fc.constantFrom("decoder.tcp", "flow.icmpv4"))
const stats: fc.Arbitrary<StatsBlock> = fc
  .array(fc.tuple(counterName, fc.oneof(fc.nat(), fc.string())), { maxLength: 12 })
  .map((entries) => ({ counters: new Map(entries) }))

const facts: fc.Arbitrary<SensorFacts> = fc.record({
  softwareVersion: probe(fc.string()),
  suricataVersion: probe(fc.string()),
  suricataRunning: probe(fc.boolean()),
  // JSON values as a file holds them once written: fc.jsonValue() may give -0, which no JSON text keeps
  // through JSON.stringify ("0"), so the round trip below would fail on a value the agent never reads.
  rulesetVersion: probe(fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v))) as fc.Arbitrary<Json>),
  installedSids: probe(sids),
  telemetrySids: probe(sids),
  ipsMode: probe(fc.boolean()),
  stats: probe(stats)
})
const now = fc.integer({ min: 0, max: 4_102_444_800_000 })

const MARKERS = ["NOTFOUND", "ERROR"]

describe("Heartbeat", () => {
  it("every key present, exactly those keys, each of the right type; JSON round-trips", () => {
    fc.assert(
      fc.property(facts, now, (f, t) => {
        const hb = assembleHeartbeat(f, t)
        expect(Object.keys(hb).sort()).toEqual([...HEARTBEAT_KEYS].sort())
        expect(typeof hb.software_version).toBe("string")
        expect(typeof hb.suricata_version).toBe("string")
        expect(["Running", "Stopped", ...MARKERS]).toContain(hb.suricata_status)
        expect(Number.isSafeInteger(hb.system_time)).toBe(true)
        expect(hb.system_time).toBe(Math.floor(t / 1000))
        for (const n of [hb.total_enabled_rules, hb.total_enabled_telemetry_rules]) {
          if (typeof n === "number") expect(Number.isSafeInteger(n) && n >= 0).toBe(true)
          else expect(n).toBe("ERROR")
        }
        expect(["IPS", "IDS", "ERROR"]).toContain(hb.mode)
        if (typeof hb.log_stats === "string") expect(hb.log_stats).toBe("ERROR")
        else if (Object.keys(hb.log_stats).length > 0) {
          expect(Object.keys(hb.log_stats).sort()).toEqual([...HEARTBEAT_COUNTERS].sort())
          for (const v of Object.values(hb.log_stats)) expect(v === null || Number.isSafeInteger(v) || typeof v === "string").toBe(true)
        }
        expect(JSON.parse(JSON.stringify(hb))).toEqual(hb)
      }),
      { numRuns: 3000 }
    )
  })

  it("a missing program is NOTFOUND, a missing file its stock value, a failure ERROR, a found fact its value", () => {
    fc.assert(
      fc.property(facts, now, (f, t) => {
        const hb = assembleHeartbeat(f, t)
        const programs: Array<[Probe<unknown>, unknown]> = [
          [f.softwareVersion, hb.software_version],
          [f.suricataVersion, hb.suricata_version],
          [f.suricataRunning, hb.suricata_status]
        ]
        for (const [p, v] of programs) {
          if (p._tag === "NotFound") expect(v).toBe("NOTFOUND")
          if (p._tag === "Failed") expect(v).toBe("ERROR")
        }
        // system.py: each file guarded by os.path.isfile, so a missing one is never an error.
        const files: Array<[Probe<unknown>, unknown, unknown]> = [
          [f.rulesetVersion, hb.ruleset_version, null],
          [f.ipsMode, hb.mode, "IDS"],
          [f.stats, hb.log_stats, {}]
        ]
        for (const [p, v, stock] of files) {
          if (p._tag === "NotFound") expect(v).toEqual(stock)
          if (p._tag === "Failed") expect(v).toBe("ERROR")
        }
        if (f.softwareVersion._tag === "Found") expect(hb.software_version).toBe(f.softwareVersion.value)
        if (f.suricataVersion._tag === "Found") expect(hb.suricata_version).toBe(f.suricataVersion.value)
        if (f.rulesetVersion._tag === "Found") expect(hb.ruleset_version).toEqual(f.rulesetVersion.value)
        if (f.ipsMode._tag === "Found") expect(hb.mode).toBe(f.ipsMode.value ? "IPS" : "IDS")
        if (f.stats._tag === "Found") {
          const counters = f.stats.value.counters
          expect(hb.log_stats).toEqual(Object.fromEntries(HEARTBEAT_COUNTERS.map((k) => [k, counters.get(k) ?? null])))
        }
        if (f.suricataRunning._tag === "Found") expect(hb.suricata_status).toBe(f.suricataRunning.value ? "Running" : "Stopped")
        // The SID sets: a missing list is an empty set; a failed one makes the counts it feeds ERROR.
        const set = (p: Probe<ReadonlySet<number>>) => (p._tag === "Found" ? p.value : p._tag === "NotFound" ? new Set<number>() : undefined)
        const inst = set(f.installedSids)
        const tele = set(f.telemetrySids)
        expect(hb.total_enabled_rules).toBe(inst === undefined ? "ERROR" : inst.size)
        expect(hb.total_enabled_telemetry_rules).toBe(
          inst === undefined || tele === undefined ? "ERROR" : [...tele].filter((s) => inst.has(s)).length
        )
        expect(problems(f).length).toBe(Object.values(f).filter((p) => p.detail !== undefined).length)
      }),
      { numRuns: 3000 }
    )
  })

  it("reads the raw facts as system.py does: suricata -V, telemetry_version.json, inline mode", () => {
    expect(suricataVersionOf("This is Suricata version 7.0.6 RELEASE\n")).toBe("7.0.6 RELEASE")
    // No " version ": str.find gives -1, which Python takes for true, and slices from -1 + 9.
    expect(suricataVersionOf("Suricata 8.0.0 RELEASE\n")).toBe(" 8.0.0 RELEASE")
    expect(suricataVersionOf("short")).toBe("")
    expect(suricataVersionOf("")).toBe("")
    expect(rulesetVersionOf('#@opnsense_download_hash:abc123\n{"version": "10432"}')).toBe("10432")
    expect(rulesetVersionOf('#@opnsense_downloaded_elsewhere\n{"version": "1"}')).toBe("1")
    expect(rulesetVersionOf('{"version": 10432}')).toBe(10432)
    expect(rulesetVersionOf('{"version": " 10432 "}')).toBe(" 10432 ")
    expect(rulesetVersionOf('{"version": {"a": [1]}}')).toEqual({ a: [1] })
    expect(rulesetVersionOf('{"v": 1}')).toBeNull()
    expect(rulesetVersionOf('"abc"')).toBeNull()
    expect(rulesetVersionOf("[1, 2]")).toBeNull()
    for (const bad of ["#@opnsense_download_hash:abc", "", "{x", '"a version"', '["version"]', "7", "true", "null", "\uFEFF{}"]) {
      expect(() => rulesetVersionOf(bad), bad).toThrow()
    }
    expect(isInlineMode(IPS_YAML)).toBe(true)
    expect(isInlineMode(IDS_YAML)).toBe(false)
    expect(isInlineMode("stream:\n  inline: true\n")).toBe(true)
    expect(isInlineMode("stream:\n  inline: auto\n")).toBe(false)
    expect(isInlineMode("nfq:\n  - inline: yes\n")).toBe(true)
    expect(isInlineMode("x:\n  inline: false\n")).toBe(false)
    expect(isInlineMode("x:\n  inline: true  # on\n")).toBe(true)
  })
})
