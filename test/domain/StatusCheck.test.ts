import { describe, expect, it } from "@effect/vitest"
import { emptyState } from "../../src/domain/AgentState.js"
import { statusCheck } from "../../src/domain/StatusCheck.js"
import { widgetView, type WidgetInput } from "../../src/domain/Widget.js"

const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR
const NOW = Date.parse("2026-11-27T10:30:00Z")
const iso = (t: number) => new Date(t).toISOString()

const ok = (status: string, event = NOW - 5 * MIN) => ({
  status: "ok",
  sensor_status: status,
  created: iso(NOW - 30 * DAY),
  event_received: iso(event),
  last_heartbeat: iso(NOW - 20 * MIN)
})
const view = (result: Record<string, unknown> | undefined, extra: Partial<WidgetInput> = {}) =>
  widgetView({ sensorInfo: result && { at: NOW - MIN, result }, state: emptyState, now: NOW, configPath: "/c", ...extra })

describe("status --check", () => {
  it("maps each state to the monitoring-plugin code, with one line naming it", () => {
    const cases: Array<[ReturnType<typeof view>, number, RegExp]> = [
      [view(ok("ACTIVE")), 0, /^ETPRO TELEMETRY OK - ACTIVE, ET Pro served; last event 5 min ago, last heartbeat 20 min ago \| sent_24h=0;;;0/],
      [view(ok("DORMANT", NOW - 30 * HOUR)), 1, /^ETPRO TELEMETRY WARNING - DORMANT, ET Pro served; DISABLED on 2026-12-01 04:30 UTC unless an event is received \|/],
      [view(ok("DISABLED", NOW - 6 * DAY)), 2, /^ETPRO TELEMETRY CRITICAL - DISABLED, ET Open served since 2026-11-26 10:30 UTC \|/],
      [view({ status: "failed", response: "HTTP 401 from http://x" }), 2, /^ETPRO TELEMETRY CRITICAL - FAILED: HTTP 401 from http:\/\/x \|/],
      [view({ status: "unconfigured" }), 3, /^ETPRO TELEMETRY UNKNOWN - UNCONFIGURED: no telemetry token \|/],
      [view({ status: "ok", sensor_status: "PAUSED" }), 3, /^ETPRO TELEMETRY UNKNOWN - UNKNOWN: the service reported sensor_status "PAUSED"/],
      [view(undefined, { unreachable: "DNS: x" }), 3, /^ETPRO TELEMETRY UNKNOWN - UNREACHABLE: the service cannot be reached \(DNS: x\); no license status received yet/]
    ]
    for (const [v, code, line] of cases) {
      const r = statusCheck(v)
      expect({ status: v.status, code: r.code }).toEqual({ status: v.status, code })
      expect(r.line).toMatch(line)
      expect(r.line).not.toContain("\n")
    }
  })

  it("unreachable: WARNING (or the last known state's code, if worse) until the threshold, then CRITICAL", () => {
    const at = (ago: number, status = "ACTIVE") =>
      view(undefined, { sensorInfo: { at: NOW - ago, result: ok(status) }, unreachable: "timeout: no answer in 5000 ms" })
    const short = statusCheck(at(10 * MIN), HOUR)
    expect(short.code).toBe(1)
    expect(short.line).toMatch(
      /^ETPRO TELEMETRY WARNING - UNREACHABLE for 10 min: the service cannot be reached \(timeout: no answer in 5000 ms\); last known ACTIVE from 2026-11-27 10:20 UTC; critical after 1 h \|/
    )
    expect(statusCheck(at(10 * MIN, "DISABLED"), HOUR).code).toBe(2)
    expect(statusCheck(at(2 * HOUR), HOUR).code).toBe(2)
    expect(statusCheck(at(2 * HOUR), 3 * HOUR).code).toBe(1)
    expect(statusCheck(at(2 * HOUR)).code).toBe(2) // default 1 h
  })

  it("a pipe from outside cannot forge performance data", () => {
    const r = statusCheck(view({ status: "failed", response: "HTTP 500 | sent_24h=999" }))
    expect(r.line.split("|")).toHaveLength(2)
  })
})
