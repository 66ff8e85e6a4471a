import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { type AgentState, emptyState } from "../../src/domain/AgentState.js"
import { parseServiceTime, renderWidget, widgetView, type WidgetInput } from "../../src/domain/Widget.js"

const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR
const NOW = Date.parse("2026-11-27T10:30:00Z")
const iso = (t: number) => new Date(t).toISOString()
const CONFIG = "/usr/local/etc/suricata/rule-updater.config"

const input = (result: Record<string, unknown> | undefined, extra: Partial<WidgetInput> = {}): WidgetInput => ({
  sensorInfo: result === undefined ? undefined : { at: NOW - MIN, result },
  state: emptyState,
  now: NOW,
  configPath: CONFIG,
  ...extra
})

const service = (status: string, t: { created: number; event?: number; hb?: number; rules?: number; disable?: number }) => ({
  status: "ok",
  sensor_status: status,
  created: iso(t.created),
  event_received: t.event === undefined ? null : iso(t.event),
  last_heartbeat: t.hb === undefined ? null : iso(t.hb),
  last_rule_download: t.rules === undefined ? null : iso(t.rules),
  disable_date: t.disable === undefined ? null : iso(t.disable)
})

describe("widgetView", () => {
  it("ACTIVE: ET Pro, no advice, the next transition is DORMANT when the heartbeat window closes", () => {
    const v = widgetView(input(service("ACTIVE", { created: NOW - 10 * DAY, event: NOW - 5 * MIN, hb: NOW - 30 * MIN, rules: NOW - 3 * HOUR, disable: NOW - 5 * MIN + 5 * DAY })))
    expect(v.status).toBe("ACTIVE")
    expect(v.ruleset).toBe("ET Pro")
    expect(v.advice).toBeNull()
    expect(v.reason).toBeNull()
    expect(v.lastEvent).toBe(iso(NOW - 5 * MIN))
    expect(v.lastRuleDownload).toBe(iso(NOW - 3 * HOUR))
    expect(v.disableDate).toBe(iso(NOW - 5 * MIN + 5 * DAY))
    expect(v.next).toEqual({ to: "DORMANT", at: iso(NOW - 30 * MIN + 2 * HOUR), unless: "a heartbeat is received" })
    expect(v.checkedAt).toBe(iso(NOW - MIN))
    expect(v.generatedAt).toBe(iso(NOW))
    expect(v.stale).toBeNull()
  })

  it("DORMANT: advice names what is missing and when it turns DISABLED; next is DISABLED at the disable date", () => {
    const disable = NOW - 30 * HOUR + 5 * DAY
    const v = widgetView(input(service("DORMANT", { created: NOW - 9 * DAY, event: NOW - 30 * HOUR, hb: NOW - 20 * MIN, disable })))
    expect(v.ruleset).toBe("ET Pro")
    expect(v.next).toEqual({ to: "DISABLED", at: iso(disable), unless: "an event is received" })
    expect(v.advice).toMatch(/^DORMANT: no event within 24 h \(last 2026-11-26 04:30 UTC\)/)
    expect(v.advice).not.toMatch(/no heartbeat/)
    expect(v.advice).toContain(`turns DISABLED on 2026-12-01 04:30 UTC unless an event is received`)
    expect(v.advice).toContain("etpro-telemetry send-events")

    const noHb = widgetView(input(service("DORMANT", { created: NOW - 9 * DAY, event: NOW - HOUR, hb: NOW - 3 * HOUR })))
    expect(noHb.advice).toMatch(/no heartbeat within 2 h \(last 2026-11-27 07:30 UTC\)/)
    expect(noHb.advice).toContain("send-heartbeat")
    // No disable_date from the service: the model's (last event + 5 days).
    expect(noHb.disableDate).toBe(iso(NOW - HOUR + 5 * DAY))
  })

  it("DISABLED: ET Open, no next transition, advice says why and how to get ET Pro back", () => {
    const v = widgetView(input(service("DISABLED", { created: NOW - 20 * DAY, event: NOW - 6 * DAY, hb: NOW - 10 * MIN, disable: NOW - DAY })))
    expect(v.ruleset).toBe("ET Open")
    expect(v.next).toBeNull()
    expect(v.advice).toMatch(/^DISABLED on 2026-11-26 10:30 UTC: no event reached the service for 5 days \(last event 2026-11-21 10:30 UTC\)/)
    expect(v.advice!.match(/ET Open is served/g)).toHaveLength(1)
    expect(v.advice).toMatch(/send-events.*send-heartbeat/)
    expect(v.advice).not.toContain("`")
    expect(v.adviceParts!.filter((p) => p.kind === "code").map((p) => p.text)).toEqual([
      "etpro-telemetry send-events",
      "etpro-telemetry send-heartbeat --direct",
      "etpro-telemetry dump --parsed"
    ])
  })

  it("a status sent in lower case, as the real API sends it, is shown upper case", () => {
    for (const [sent, shown] of [["active", "ACTIVE"], ["dormant", "DORMANT"], ["disabled", "DISABLED"]] as const) {
      const v = widgetView(input({ ...service("x", { created: NOW - DAY }), sensor_status: sent }))
      expect(v.status).toBe(shown)
      expect(v.ruleset).toBe(shown === "DISABLED" ? "ET Open" : "ET Pro")
    }
  })

  it("unknown status strings from the service are shown as unknown, never trusted", () => {
    for (const s of ["PAUSED", "actived", "ACTIVE ", 7, null, { a: 1 }]) {
      const v = widgetView(input({ ...service("x", { created: NOW - DAY }), sensor_status: s }))
      expect(v.status).toBe("unknown")
      expect(v.ruleset).toBeNull()
      expect(v.next).toBeNull()
      expect(v.disableDate).toBeNull()
      expect(v.advice).toMatch(/unknown status/)
    }
    expect(widgetView(input(undefined)).advice).toMatch(/sensor-info/)
    expect(widgetView(input({ status: "weird" })).status).toBe("unknown")
  })

  it("failed: the cause; a 4xx adds the token hint; both point to the system log", () => {
    const v4 = widgetView(input({ status: "failed", response: "HTTP 401 from http://x/api/v1/sensorinfo: unknown token" }))
    expect(v4.status).toBe("failed")
    expect(v4.reason).toContain("HTTP 401")
    expect(v4.advice).toContain("leading/trailing spaces")
    expect(v4.advice).toContain("emergingthreats")
    const v5 = widgetView(input({ status: "failed", response: "HTTP 503 from http://x/api/v1/sensorinfo" }))
    expect(v5.advice).not.toContain("leading/trailing spaces")
    expect(v5.advice).toContain("HTTP 503")
    expect(v5.ruleset).toBeNull()
  })

  it("unconfigured: where to put the token", () => {
    const v = widgetView(input({ status: "unconfigured" }))
    expect(v.advice).toContain("etpro-telemetry token set TOKEN")
    expect(v.advice).toContain(CONFIG)
  })

  it("agent: task results, counters, 24 hourly buckets oldest first, sums over the last 24 h only", () => {
    const hourNow = Math.floor(NOW / HOUR) * HOUR
    const state: AgentState = {
      ...emptyState,
      counters: { read: 10, selected: 5, sent: 4, rejected: 1, expired: 2, skippedBadLine: 3 },
      hourly: [
        { hour: hourNow - 30 * HOUR, sent: 100, rejected: 100, expired: 100 },
        { hour: hourNow - 23 * HOUR, sent: 1, rejected: 0, expired: 1 },
        { hour: hourNow - 2 * HOUR, sent: 5, rejected: 1, expired: 0 },
        { hour: hourNow, sent: 7, rejected: 0, expired: 2 }
      ],
      lastSend: { at: NOW - MIN, ok: false, message: "connection refused by http://x" },
      lastHeartbeat: { at: NOW - HOUR, ok: true, message: "heartbeat accepted" }
    }
    const v = widgetView(input({ status: "unconfigured" }, { state }))
    expect(v.agent.counters).toEqual(state.counters)
    expect(v.agent.last24h).toEqual({ sent: 13, rejected: 1, expired: 3 })
    expect(v.agent.hourly).toHaveLength(24)
    expect(v.agent.hourly[0]).toEqual({ hour: iso(hourNow - 23 * HOUR), sent: 1, seen: null })
    expect(v.agent.hourly[1]).toEqual({ hour: iso(hourNow - 22 * HOUR), sent: 0, seen: 0 })
    expect(v.agent.hourly[21]).toEqual({ hour: iso(hourNow - 2 * HOUR), sent: 5, seen: null })
    expect(v.agent.hourly[23]).toEqual({ hour: iso(hourNow), sent: 7, seen: null })
    expect(v.agent.lastSend).toEqual({ at: iso(NOW - MIN), ok: false, message: "connection refused by http://x" })
    expect(v.agent.lastDeliveryError).toBe("connection refused by http://x")
    expect(v.agent.lastRules).toBeNull()
  })

  it("unreachable: never the last license status, which is shown as last known with its age; the table says so", () => {
    const v = widgetView(
      input(service("ACTIVE", { created: NOW - DAY, event: NOW - HOUR, hb: NOW - HOUR }), {
        sensorInfo: { at: NOW - 12 * MIN, result: service("ACTIVE", { created: NOW - DAY, event: NOW - HOUR, hb: NOW - HOUR }) },
        unreachable: "connection refused by http://x"
      })
    )
    expect(v.status).toBe("unreachable")
    expect(v.reason).toBe("connection refused by http://x")
    expect(v.ruleset).toBeNull()
    expect(v.next).toBeNull()
    expect(v.lastKnown).toEqual({ status: "ACTIVE", ruleset: "ET Pro", at: iso(NOW - 12 * MIN) })
    expect(v.lastEvent).toBe(iso(NOW - HOUR)) // the facts of the last answer, marked stale
    expect(v.stale).toEqual({ reason: "connection refused by http://x" })
    expect(v.checkedAt).toBe(iso(NOW - 12 * MIN))
    expect(v.advice).toBe(
      "The telemetry service cannot be reached: connection refused by http://x. Last known status ACTIVE, from " +
        "2026-11-27 10:18 UTC (12 min ago). Check that this sensor reaches the service (etpro-telemetry sensor-info) " +
        "and search the system log for emergingthreats for earlier failures."
    )
    const table = renderWidget(v)
    expect(table).toContain("status              UNREACHABLE (connection refused by http://x)")
    expect(table).toContain("last known          ACTIVE (ET Pro served), from 2026-11-27 10:18 UTC (12 min ago)")
    expect(table).toContain("ruleset served      not known")
    expect(table).not.toMatch(/^  status +ACTIVE/m)

    // Never reached at all: unreachable, nothing last known.
    const never = widgetView(input(undefined, { unreachable: "DNS: getaddrinfo ENOTFOUND x" }))
    expect(never.status).toBe("unreachable")
    expect(never.lastKnown).toBeNull()
    expect(never.stale).toBeNull()
    expect(never.advice).toContain("No license status has been received yet")
  })

  it("advice never shows backticks; commands are code segments whose texts add up to the advice", () => {
    const cases = [
      input(service("DORMANT", { created: NOW - 9 * DAY, event: NOW - 30 * HOUR, hb: NOW - 3 * HOUR })),
      input(service("DISABLED", { created: NOW - 20 * DAY, event: NOW - 6 * DAY })),
      input({ status: "failed", response: "HTTP 401 from http://x" }),
      input({ status: "unconfigured" }),
      input({ status: "ok", sensor_status: "PAUSED" }),
      input(undefined),
      input(undefined, { unreachable: "timeout" })
    ]
    for (const c of cases) {
      const v = widgetView(c)
      expect(v.advice).not.toContain("`")
      expect(v.adviceParts!.map((p) => p.text).join("")).toBe(v.advice)
      expect(v.adviceParts!.some((p) => p.kind === "code" && /^(etpro-telemetry |--base-url)/.test(p.text))).toBe(true)
    }
  })

  it("property: any answer whatsoever gives a complete, JSON-safe view; advice exactly when not ACTIVE", () => {
    const answer = fc.oneof(
      fc.dictionary(fc.string(), fc.jsonValue()),
      fc.record({
        status: fc.constantFrom("ok", "failed", "unconfigured", "x"),
        sensor_status: fc.oneof(fc.constantFrom("ACTIVE", "DORMANT", "DISABLED"), fc.jsonValue()),
        created: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.jsonValue()),
        event_received: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.jsonValue()),
        last_heartbeat: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.string()),
        response: fc.string()
      }, { requiredKeys: ["status"] })
    )
    fc.assert(
      fc.property(answer, fc.integer({ min: 0, max: 4_102_444_800_000 }), (result, now) => {
        const v = widgetView({ sensorInfo: { at: now, result }, state: emptyState, now, configPath: CONFIG })
        expect(["ACTIVE", "DORMANT", "DISABLED", "failed", "unconfigured", "unknown"]).toContain(v.status)
        expect(v.lastKnown).toBeNull()
        expect(v.advice === null).toBe(v.status === "ACTIVE")
        expect(JSON.parse(JSON.stringify(v))).toEqual(v)
        expect(typeof renderWidget(v)).toBe("string")
        for (const t of [v.lastEvent, v.lastHeartbeat, v.disableDate, v.lastRuleDownload]) {
          if (t !== null) expect(new Date(t).toISOString()).toBe(t)
        }
      }),
      { numRuns: 2000 }
    )
  })

  it("the table shows no control characters from outside (a service cannot drive the terminal)", () => {
    const v = widgetView(input({ status: "failed", response: "HTTP 500 from http://x: \u001b[2J\u001b]0;owned\u0007 oops\r" }))
    const table = renderWidget(v)
    expect(table).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/)
    expect(table).toContain("?[2J?]0;owned? oops?")
  })

  it("service times: ISO with Z, offsets, or no zone (UTC); anything else is not a time", () => {
    const t = Date.parse("2026-11-27T10:00:00Z")
    expect(parseServiceTime("2026-11-27T10:00:00Z")).toBe(t)
    expect(parseServiceTime("2026-11-27T11:00:00+01:00")).toBe(t)
    expect(parseServiceTime("2026-11-27T15:30:00+0530")).toBe(t)
    expect(parseServiceTime("2026-11-27 10:00:00")).toBe(t)
    expect(parseServiceTime("2026-11-27T10:00:00.000000")).toBe(t)
    for (const bad of ["", "yesterday", "2026-13-45T99:00:00Z", 1_795_000_000, null, "2026-11-27T10:00:00Zjunk"]) {
      expect(parseServiceTime(bad)).toBeUndefined()
    }
  })
})
