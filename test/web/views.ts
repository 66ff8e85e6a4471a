/** Widget views for each state, built by hand (times relative to `now`) so the page tests stand on their own. */
import type { WidgetStatus, WidgetView } from "../../src/domain/Widget.js"

const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR

const iso = (t: number) => new Date(t).toISOString()

/** 24 hourly buckets ending at the hour of `now`; `sent(i)` and `seen(i)` for bucket i (0 = oldest). */
export const hourly = (now: number, sent: (i: number) => number, seen: (i: number) => number | null = (i) => sent(i) + (i % 3)) => {
  const top = Math.floor(now / HOUR) * HOUR
  return Array.from({ length: 24 }, (_, i) => ({ hour: iso(top - (23 - i) * HOUR), sent: sent(i), seen: seen(i) }))
}

/** 7 UTC days ending with today. */
export const daily = (now: number, sent: (i: number) => number, seen: (i: number) => number | null = (i) => sent(i) + 4 * i) => {
  const top = Math.floor(now / DAY) * DAY
  return Array.from({ length: 7 }, (_, i) => ({ day: iso(top - (6 - i) * DAY), sent: sent(i), seen: seen(i) }))
}

const baseAgent = (now: number): WidgetView["agent"] => {
  const buckets = hourly(now, (i) => (i * 7) % 13)
  return {
  lastSend: { at: iso(now - 2 * MIN), ok: true, message: "sent 12 events" },
  lastHeartbeat: { at: iso(now - 20 * MIN), ok: true, message: "heartbeat accepted" },
  lastRules: { at: iso(now - 5 * HOUR), ok: true, message: "ET Pro 10432 installed" },
  counters: { read: 5000, selected: 420, sent: 400, rejected: 3, expired: 17, skippedBadLine: 1 },
  last24h: { sent: buckets.reduce((n, b) => n + b.sent, 0), rejected: 2, expired: 5 },
  hourly: buckets,
  daily: daily(now, (i) => [120, 96, 0, 40, 150, 133, 61][i]!),
  lastDeliveryError: null
  }
}

export const ADVICE: Record<WidgetStatus, string | null> = {
  ACTIVE: null,
  unreachable: "The telemetry service cannot be reached: connect ETIMEDOUT 203.0.113.7:443. Last known status ACTIVE, from 2026-11-27 10:18 UTC (12 min ago). Check that this sensor reaches the service (etpro-telemetry sensor-info) and search the system log for emergingthreats for earlier failures.",
  DORMANT: "DORMANT: no event within 24 h (last 2026-11-26 04:30 UTC); ET Pro is still served. To become ACTIVE, send events (etpro-telemetry send-events); it turns DISABLED on 2026-12-01 04:30 UTC unless an event is received.",
  DISABLED: "DISABLED on 2026-11-26 10:30 UTC: no event reached the service for 5 days (last event 2026-11-21 10:30 UTC), so ET Open is served instead of ET Pro. To get ET Pro back, send events (etpro-telemetry send-events) and a heartbeat (etpro-telemetry send-heartbeat --direct); check that alerts of the telemetry rules are selected with etpro-telemetry dump --parsed.",
  failed: "The license status could not be fetched: HTTP 401 from https://telemetry.example.test/api/v1/sensorinfo. Check the token for leading/trailing spaces (etpro-telemetry token set TOKEN stores it trimmed). To find earlier failures, search the system log for emergingthreats.",
  unconfigured: "No telemetry token: set it with etpro-telemetry token set TOKEN (the agent's own token file); on OPNsense, fill in the ET telemetry token field of the IDS settings instead, which OPNsense writes to /usr/local/etc/suricata/rule-updater.config.",
  unknown: "The service reported the unknown status \"PAUSED\": shown as unknown, not trusted. Check that the base URL points at the telemetry service, and search the system log for emergingthreats."
}

/** The advice with its commands marked as code, as Advice.ts makes it. */
export const adviceParts = (advice: string | null): WidgetView["adviceParts"] => {
  if (advice === null) return null
  return advice.split(/(etpro-telemetry [a-z-]+(?: [a-z-]+)?(?: --direct| TOKEN)?|emergingthreats(?=[ .]))/).filter((t) => t !== "").map((t) =>
    /^(etpro-telemetry |emergingthreats$)/.test(t) ? { kind: "code" as const, text: t } : { kind: "text" as const, text: t }
  )
}

export const REASON: Record<WidgetStatus, string | null> = {
  ACTIVE: null,
  unreachable: "connect ETIMEDOUT 203.0.113.7:443",
  DORMANT: null,
  DISABLED: null,
  failed: "connection refused by https://telemetry.example.test/v1/sensor-info",
  unconfigured: "no token in /usr/local/etc/suricata/rule-updater.config",
  unknown: "the service said status \"PAUSED\""
}

export const RULESET: Record<WidgetStatus, WidgetView["ruleset"]> = {
  ACTIVE: "ET Pro",
  unreachable: null,
  DORMANT: "ET Pro",
  DISABLED: "ET Open",
  failed: null,
  unconfigured: null,
  unknown: null
}

export const STATES: ReadonlyArray<WidgetStatus> = ["ACTIVE", "DORMANT", "DISABLED", "unreachable", "failed", "unconfigured", "unknown"]

export const viewFor = (status: WidgetStatus, now: number): WidgetView => {
  const unreachable = status === "unreachable"
  const known = status === "ACTIVE" || status === "DORMANT" || status === "DISABLED" || unreachable
  const lastEvent = status === "ACTIVE" ? now - 3 * MIN : unreachable ? now - 15 * MIN : status === "DORMANT" ? now - 30 * HOUR : now - 6 * DAY
  return {
    status,
    reason: REASON[status],
    ruleset: RULESET[status],
    lastKnown: unreachable ? { status: "ACTIVE", ruleset: "ET Pro", at: iso(now - 12 * MIN) } : null,
    lastEvent: known ? iso(lastEvent) : null,
    lastRuleDownload: iso(now - 5 * HOUR),
    lastHeartbeat: known ? iso(now - 20 * MIN) : null,
    disableDate: known ? iso(lastEvent + 5 * DAY) : null,
    next:
      status === "ACTIVE"
        ? { to: "DORMANT", at: iso(now + 100 * MIN), unless: "a heartbeat is received" }
        : status === "DORMANT"
        ? { to: "DISABLED", at: iso(lastEvent + 5 * DAY), unless: "an event is received" }
        : null,
    advice: ADVICE[status],
    adviceParts: adviceParts(ADVICE[status]),
    agent: status === "failed"
      ? {
        ...baseAgent(now),
        lastSend: { at: iso(now - MIN), ok: false, message: "connect ECONNREFUSED 203.0.113.7:443" },
        lastDeliveryError: "connect ECONNREFUSED 203.0.113.7:443"
      }
      : baseAgent(now),
    checkedAt: unreachable ? iso(now - 12 * MIN) : known || status === "failed" || status === "unknown" ? iso(now - 10 * MIN) : null,
    generatedAt: iso(now),
    stale: unreachable ? { reason: REASON.unreachable! } : null
  }
}
