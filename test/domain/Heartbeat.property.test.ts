/**
 * Heartbeat assembly (SPEC section 6): whatever the probes found, the body has exactly the keys of the SPEC,
 * each of the right type; a missing fact is "NOTFOUND", a failed one "ERROR", and one fact never leaks into
 * another key.
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
  rulesetVersionOf,
  type SensorFacts,
  suricataVersionOf
} from "../../src/domain/Heartbeat.js"
import type { StatsBlock } from "../../src/domain/StatsLog.js"
import { IDS_YAML, IPS_YAML } from "../support/SensorTree.js"

const probe = <A>(value: fc.Arbitrary<A>): fc.Arbitrary<Probe<A>> =>
  fc.oneof(
    value.map((v) => ({ _tag: "Found" as const, value: v })),
    fc.string().map((detail) => ({ _tag: "NotFound" as const, detail })),
    fc.string().map((detail) => ({ _tag: "Failed" as const, detail }))
  )

const sids = fc.uniqueArray(fc.integer({ min: 1, max: 100 }), { maxLength: 60 }).map((a) => new Set(a))
const counterName = fc.oneof(fc.constantFrom(...HEARTBEAT_COUNTERS), fc.constantFrom("decoder.tcp", "flow.icmpv4"))
const stats: fc.Arbitrary<StatsBlock> = fc
  .record({ date: fc.string(), entries: fc.array(fc.tuple(counterName, fc.nat()), { maxLength: 12 }) })
  .map(({ date, entries }) => ({ date, counters: new Map(entries) }))

const facts: fc.Arbitrary<SensorFacts> = fc.record({
  softwareVersion: probe(fc.string()),
  suricataVersion: probe(fc.string()),
  suricataRunning: probe(fc.boolean()),
  rulesetVersion: probe(fc.oneof(fc.string(), fc.integer())),
  installedSids: probe(sids),
  telemetrySids: probe(sids),
  ipsMode: probe(fc.boolean()),
  stats: probe(stats)
})
const now = fc.integer({ min: 0, max: 4_102_444_800_000 })

const MARKERS = ["NOTFOUND", "ERROR"]
const marker = (p: Probe<unknown>) => (p._tag === "NotFound" ? "NOTFOUND" : p._tag === "Failed" ? "ERROR" : undefined)

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
        expect(["string", "number"]).toContain(typeof hb.ruleset_version)
        for (const n of [hb.total_enabled_rules, hb.total_enabled_telemetry_rules]) {
          if (typeof n === "number") expect(Number.isSafeInteger(n) && n >= 0).toBe(true)
          else expect(MARKERS).toContain(n)
        }
        expect(["IPS", "IDS", ...MARKERS]).toContain(hb.mode)
        if (typeof hb.log_stats === "string") expect(MARKERS).toContain(hb.log_stats)
        else {
          expect(Object.keys(hb.log_stats).sort()).toEqual([...HEARTBEAT_COUNTERS].sort())
          for (const v of Object.values(hb.log_stats)) expect(v === null || Number.isSafeInteger(v)).toBe(true)
        }
        expect(JSON.parse(JSON.stringify(hb))).toEqual(hb)
      }),
      { numRuns: 3000 }
    )
  })

  it("a missing fact is NOTFOUND, a failed one ERROR, a found one its value, key by key", () => {
    fc.assert(
      fc.property(facts, now, (f, t) => {
        const hb = assembleHeartbeat(f, t)
        const single: Array<[Probe<unknown>, unknown]> = [
          [f.softwareVersion, hb.software_version],
          [f.suricataVersion, hb.suricata_version],
          [f.suricataRunning, hb.suricata_status],
          [f.rulesetVersion, hb.ruleset_version],
          [f.installedSids, hb.total_enabled_rules],
          [f.ipsMode, hb.mode],
          [f.stats, hb.log_stats]
        ]
        for (const [p, v] of single) {
          const m = marker(p)
          if (m !== undefined) expect(v).toBe(m)
        }
        if (f.softwareVersion._tag === "Found") expect(hb.software_version).toBe(f.softwareVersion.value)
        if (f.suricataVersion._tag === "Found") expect(hb.suricata_version).toBe(f.suricataVersion.value)
        if (f.rulesetVersion._tag === "Found") expect(hb.ruleset_version).toBe(f.rulesetVersion.value)
        if (f.ipsMode._tag === "Found") expect(hb.mode).toBe(f.ipsMode.value ? "IPS" : "IDS")
        if (f.stats._tag === "Found") {
          const counters = f.stats.value.counters
          expect(hb.log_stats).toEqual(Object.fromEntries(HEARTBEAT_COUNTERS.map((k) => [k, counters.get(k) ?? null])))
        }
        if (f.installedSids._tag === "Found") expect(hb.total_enabled_rules).toBe(f.installedSids.value.size)
        if (f.suricataRunning._tag === "Found") expect(hb.suricata_status).toBe(f.suricataRunning.value ? "Running" : "Stopped")
        if (f.installedSids._tag === "Found" && f.telemetrySids._tag === "Found") {
          const inst = f.installedSids.value
          const common = [...f.telemetrySids.value].filter((s) => inst.has(s)).length
          expect(hb.total_enabled_telemetry_rules).toBe(common)
        } else {
          const either = [f.installedSids, f.telemetrySids].map(marker)
          expect(hb.total_enabled_telemetry_rules).toBe(either.includes("ERROR") ? "ERROR" : "NOTFOUND")
        }
        expect(problems(f).length).toBe(Object.values(f).filter((p) => p._tag !== "Found").length)
      }),
      { numRuns: 3000 }
    )
  })

  it("reads the raw facts: suricata -V, telemetry_version.json with and without the hash line, inline mode", () => {
    expect(suricataVersionOf("This is Suricata version 7.0.6 RELEASE\n")).toBe("7.0.6 RELEASE")
    expect(suricataVersionOf("Suricata 7")).toBeUndefined()
    expect(rulesetVersionOf('#@opnsense_download_hash:abc123\n{"version": "10432"}')).toBe("10432")
    expect(rulesetVersionOf('{"version": 10432}')).toBe(10432)
    expect(() => rulesetVersionOf("#@opnsense_download_hash:abc")).toThrow()
    expect(() => rulesetVersionOf('{"v": 1}')).toThrow(/no version/)
    expect(isInlineMode(IPS_YAML)).toBe(true)
    expect(isInlineMode(IDS_YAML)).toBe(false)
    expect(isInlineMode("nfq:\n  - inline: yes\n")).toBe(true)
    expect(isInlineMode("x:\n  inline: false\n")).toBe(false)
    expect(isInlineMode("x:\n  inline: true  # on\n")).toBe(true)
  })
})
