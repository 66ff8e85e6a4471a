/**
 * One line of advice for every state of the widget that is not ACTIVE (SPEC section 7): what is wrong, why,
 * and what the operator can do about it. Pure: every time is passed in.
 */
import { DEFAULT_WINDOWS, type LicenseWindows } from "./License.js"
import type { WidgetStatus } from "./StatusNames.js"

export interface AdviceFacts {
  readonly status: WidgetStatus
  /** For failed: the cause. */
  readonly reason?: string | null | undefined
  /** For unknown: the status string the service sent, if it sent one. */
  readonly rawStatus?: string | undefined
  /** Epoch ms, when known. */
  readonly created?: number | undefined
  readonly lastEvent?: number | undefined
  readonly lastHeartbeat?: number | undefined
  readonly disableDate?: number | undefined
  readonly now: number
  /** rule-updater.config, where the token lives. */
  readonly configPath: string
  readonly windows?: LicenseWindows | undefined
}

const pad = (n: number) => String(n).padStart(2, "0")

/** `2026-11-27 10:05 UTC`. */
export const formatTime = (ms: number): string => {
  const d = new Date(ms)
  if (Number.isNaN(d.getTime())) return "an unknown time"
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes()
  )} UTC`
}

/** `2 h`, `24 h`, `5 days`, `90 min`. */
export const formatWindow = (ms: number): string => {
  if (ms >= 2 * 86_400_000 && ms % 86_400_000 === 0) return `${ms / 86_400_000} days`
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`
  return `${Math.round(ms / 1000)} s`
}

const lastOr = (ms: number | undefined, none: string) => (ms === undefined ? none : `last ${formatTime(ms)}`)

/** Whether a 4xx answer caused the failure (then the token is the likely culprit). */
export const is4xx = (reason: string): boolean => /\bHTTP 4\d\d\b/.test(reason)

/** A status string from outside, made safe to show on one line. */
const shown = (s: string): string => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s)

export const advice = (f: AdviceFacts): string | null => {
  const w = f.windows ?? DEFAULT_WINDOWS
  const sendBoth =
    "send events (`etpro-telemetry send-events`) and a heartbeat (`etpro-telemetry send-heartbeat --direct`)"
  switch (f.status) {
    case "ACTIVE":
      return null
    case "DISABLED": {
      const since = f.lastEvent !== undefined
        ? ` (last event ${formatTime(f.lastEvent)})`
        : f.created !== undefined
        ? ` (registered ${formatTime(f.created)}, no event since)`
        : ""
      const on = f.disableDate === undefined ? "" : ` on ${formatTime(f.disableDate)}`
      return (
        `DISABLED${on}: no event reached the service for ${formatWindow(w.disableAfterMs)}${since}, so ET Open ` +
        `is served instead of ET Pro. To get ET Pro back, ${sendBoth}; check that alerts of the telemetry rules ` +
        "are selected with `etpro-telemetry dump --parsed`. ET Open is served meanwhile."
      )
    }
    case "DORMANT": {
      const activity = f.lastEvent ?? f.created
      const noHeartbeat = f.lastHeartbeat === undefined || f.now >= f.lastHeartbeat + w.heartbeatWithinMs
      const noEvent = activity === undefined || f.now >= activity + w.eventWithinMs
      const missing: Array<string> = []
      if (noHeartbeat) {
        missing.push(`no heartbeat within ${formatWindow(w.heartbeatWithinMs)} (${lastOr(f.lastHeartbeat, "none yet")})`)
      }
      if (noEvent) missing.push(`no event within ${formatWindow(w.eventWithinMs)} (${lastOr(f.lastEvent, "none yet")})`)
      if (missing.length === 0) {
        missing.push(
          `no heartbeat within ${formatWindow(w.heartbeatWithinMs)} or no event within ${formatWindow(w.eventWithinMs)}`
        )
      }
      const fix = noHeartbeat && !noEvent
        ? "send a heartbeat (`etpro-telemetry send-heartbeat --direct`)"
        : !noHeartbeat && noEvent
        ? "send events (`etpro-telemetry send-events`)"
        : sendBoth
      const until = f.disableDate === undefined
        ? `it turns DISABLED ${formatWindow(w.disableAfterMs)} after the last event unless an event is received`
        : `it turns DISABLED on ${formatTime(f.disableDate)} unless an event is received`
      return `DORMANT: ${missing.join(" and ")}; ET Pro is still served. To become ACTIVE, ${fix}; ${until}.`
    }
    case "failed": {
      const reason = f.reason ?? "unknown cause"
      const token = is4xx(reason)
        ? " Check the token for leading/trailing spaces (`etpro-telemetry token set TOKEN` stores it trimmed)."
        : ""
      return `The license status could not be fetched: ${reason}.${token} Search the system log for \`emergingthreats\` for earlier failures.`
    }
    case "unconfigured":
      return (
        "No telemetry token: set it with `etpro-telemetry token set TOKEN` (stored as et_telemetry.token in " +
        `section [__properties__] of ${f.configPath}).`
      )
    case "unknown":
      return f.rawStatus !== undefined
        ? `The service reported the unknown status ${shown(f.rawStatus)}: shown as unknown, not trusted. Check that ` +
          "--base-url points at the telemetry service, and search the system log for `emergingthreats`."
        : "No license status known yet: ask the service with `etpro-telemetry sensor-info`."
  }
}
