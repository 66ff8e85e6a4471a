/**
 * `assembleHeartbeat`, `nextLicenseStatus` and `licenseView` from `etpro-telemetry/core`: thin wrappers, so
 * they are held to the domain functions the agent runs (the values for missing facts are the domain's, which
 * src/domain/Heartbeat.ts owns), on the sample sensor's facts.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import {
  assembleHeartbeat,
  assembleHeartbeatEffect,
  failed,
  found,
  initialLicenseState,
  licenseView,
  nextLicenseStatus,
  notFound
} from "etpro-telemetry/core"
import { assembleHeartbeat as domainHeartbeat, type SensorFacts } from "../../src/domain/Heartbeat.js"

/** A stats.log block as the domain reads it (not a literal in place: the block's fields are the domain's). */
const STATS = { date: "11/27/2026 -- 10:00:08", counters: new Map([["capture.kernel_packets", 123456], ["decoder.pkts", 120000], ["detect.alert", 42]]) }
const NOW = Date.parse("2026-11-27T10:00:09Z")

describe("assembleHeartbeat", () => {
  it("plain facts give the body the agent assembles from the same probes", () => {
    const stats = STATS
    const body = assembleHeartbeat(
      { softwareVersion: "24.7.9", suricataVersion: "7.0.6", suricataRunning: true, rulesetVersion: "10567", installedSids: [1, 2, 3],
        telemetrySids: new Set([2, 3, 9]), ipsMode: false, stats },
      NOW
    )
    const probes: SensorFacts = {
      softwareVersion: found("24.7.9"), suricataVersion: found("7.0.6"), suricataRunning: found(true), rulesetVersion: found("10567"),
      installedSids: found(new Set([1, 2, 3])), telemetrySids: found(new Set([2, 3, 9])), ipsMode: found(false), stats: found(stats)
    }
    expect(body).toEqual(domainHeartbeat(probes, NOW))
    expect(body).toMatchObject({ suricata_status: "Running", total_enabled_rules: 3, total_enabled_telemetry_rules: 2, mode: "IDS", system_time: Math.floor(NOW / 1000) })
  })

  it("a fact left out is a fact not found; a failed probe stays failed", () => {
    const body = assembleHeartbeat({ suricataVersion: failed("suricata -V exited 1") }, NOW)
    const domain = domainHeartbeat({
      softwareVersion: notFound("x"), suricataVersion: failed("x"), suricataRunning: notFound("x"), rulesetVersion: notFound("x"),
      installedSids: notFound("x"), telemetrySids: notFound("x"), ipsMode: notFound("x"), stats: notFound("x")
    }, NOW)
    expect(body).toEqual(domain)
  })

  it.effect("the Effect program takes the time from the Clock", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const body = yield* assembleHeartbeatEffect({ ipsMode: true })
      expect(body).toEqual(assembleHeartbeat({ ipsMode: true }, NOW))
    }))
})

describe("nextLicenseStatus and licenseView", () => {
  it("a status is shown as the service just gave it, in any case", () => {
    const s = nextLicenseStatus(initialLicenseState, { status: "ok", sensor_status: "active" })
    expect(s).toEqual({ status: "ACTIVE", lastConfirmed: "ACTIVE" })
    expect(nextLicenseStatus(s, { status: "ok", sensor_status: "DORMANT" })).toEqual({ status: "DORMANT", lastConfirmed: "DORMANT" })
    expect(nextLicenseStatus(s, { status: "ok", sensor_status: "paused" })).toEqual({ status: "unknown", lastConfirmed: "unknown" })
  })

  it("unreachable: never the old status as current, but kept as the last confirmed one", () => {
    const dormant = nextLicenseStatus("ACTIVE", { status: "ok", sensor_status: "dormant" })
    const down = nextLicenseStatus(dormant, { status: "unreachable", reason: "connection refused" })
    expect(down).toEqual({ status: "unreachable", lastConfirmed: "DORMANT" })
    // Still unreachable: the last confirmed status survives; back again: the new answer.
    expect(nextLicenseStatus(down, { status: "unreachable", reason: "timeout" })).toEqual(down)
    expect(nextLicenseStatus(down, { status: "ok", sensor_status: "disabled" })).toEqual({ status: "DISABLED", lastConfirmed: "DISABLED" })
    expect(nextLicenseStatus(initialLicenseState, { status: "unreachable", reason: "timeout" })).toEqual({ status: "unreachable", lastConfirmed: null })
  })

  it("refused or unconfigured: said so, the last confirmed status kept", () => {
    expect(nextLicenseStatus("ACTIVE", { status: "failed", response: "401" })).toEqual({ status: "failed", lastConfirmed: "ACTIVE" })
    expect(nextLicenseStatus("ACTIVE", { status: "unconfigured" })).toEqual({ status: "unconfigured", lastConfirmed: "ACTIVE" })
  })

  it("licenseView: ET Pro while ACTIVE or DORMANT, ET Open when DISABLED, and the page's colour", () => {
    expect(licenseView("ACTIVE")).toEqual({ status: "ACTIVE", ruleset: "ET Pro", tone: "ok" })
    expect(licenseView("DORMANT")).toEqual({ status: "DORMANT", ruleset: "ET Pro", tone: "warn" })
    expect(licenseView("DISABLED")).toEqual({ status: "DISABLED", ruleset: "ET Open", tone: "bad" })
    expect(licenseView("unreachable")).toEqual({ status: "unreachable", ruleset: null, tone: "down" })
    expect(licenseView("unconfigured")).toEqual({ status: "unconfigured", ruleset: null, tone: "muted" })
  })
})
