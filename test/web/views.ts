/** Widget views for each state, built by hand (times relative to `now`) so the page tests stand on their own. */
import type { WidgetStatus, WidgetView } from "../../src/domain/Widget.js"

const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR

const iso = (t: number) => new Date(t).toISOString()

/** 24 hourly buckets ending at the hour of `now`; `sent(i)` for bucket i (0 = oldest). */
export const hourly = (now: number, sent: (i: number) => number) => {
  const top = Math.floor(now / HOUR) * HOUR
  return Array.from({ length: 24 }, (_, i) => ({ hour: iso(top - (23 - i) * HOUR), sent: sent(i) }))
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
  lastDeliveryError: null
  }
}

export const ADVICE: Record<WidgetStatus, string | null> = {
  ACTIVE: null,
  DORMANT: "No event in 24 h: the license turns DISABLED in 4 days unless an event is received.",
  DISABLED: "The license is DISABLED and ET Open is served: send events and a heartbeat to revive it.",
  failed: "The telemetry service could not be reached: check the network and --base-url.",
  unconfigured: "No token configured: run `etpro-telemetry token set TOKEN`.",
  unknown: "The service answered with a status this agent does not know; check for an agent update."
}

export const REASON: Record<WidgetStatus, string | null> = {
  ACTIVE: null,
  DORMANT: null,
  DISABLED: null,
  failed: "connection refused by https://telemetry.example.test/v1/sensor-info",
  unconfigured: "no token in /usr/local/etc/suricata/rule-updater.config",
  unknown: "the service said status \"PAUSED\""
}

export const RULESET: Record<WidgetStatus, WidgetView["ruleset"]> = {
  ACTIVE: "ET Pro",
  DORMANT: "ET Pro",
  DISABLED: "ET Open",
  failed: null,
  unconfigured: null,
  unknown: null
}

export const STATES: ReadonlyArray<WidgetStatus> = ["ACTIVE", "DORMANT", "DISABLED", "failed", "unconfigured", "unknown"]

export const viewFor = (status: WidgetStatus, now: number): WidgetView => {
  const known = status === "ACTIVE" || status === "DORMANT" || status === "DISABLED"
  const lastEvent = status === "ACTIVE" ? now - 3 * MIN : status === "DORMANT" ? now - 30 * HOUR : now - 6 * DAY
  return {
    status,
    reason: REASON[status],
    ruleset: RULESET[status],
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
    agent: status === "failed"
      ? {
        ...baseAgent(now),
        lastSend: { at: iso(now - MIN), ok: false, message: "connect ECONNREFUSED 203.0.113.7:443" },
        lastDeliveryError: "connect ECONNREFUSED 203.0.113.7:443"
      }
      : baseAgent(now),
    checkedAt: known || status === "failed" || status === "unknown" ? iso(now - 10 * MIN) : null,
    generatedAt: iso(now)
  }
}
