/**
 * One line of advice for every state of the widget that is not ACTIVE (SPEC section 7): what is wrong, why,
 * and what the operator can do about it. Pure: every time is passed in. The advice is a list of segments so
 * that commands stay marked as code: the page renders them as <code>, the terminal prints them plainly.
 * Knows nothing of the widget (the widget imports this, never the reverse).
 */
import { DEFAULT_WINDOWS, type LicenseWindows } from "./License.js"
import type { WidgetStatus } from "./StatusNames.js"

/** A piece of advice: plain text, or something to type (a command, a search term). */
export interface AdviceSegment {
  readonly kind: "text" | "code"
  readonly text: string
}

export interface AdviceFacts {
  readonly status: WidgetStatus
  /** For failed and unreachable: the cause. */
  readonly reason?: string | null | undefined
  /** For unknown: the status string the service sent, if it sent one. */
  readonly rawStatus?: string | undefined
  /** For unreachable: the last status the service gave, and when it was asked (epoch ms). */
  readonly lastKnown?: { readonly status: string; readonly at: number } | undefined
  /** Epoch ms, when known. */
  readonly created?: number | undefined
  readonly lastEvent?: number | undefined
  readonly lastHeartbeat?: number | undefined
  readonly disableDate?: number | undefined
  readonly now: number
  /** rule-updater.config, where OPNsense writes the token of its GUI field. */
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

/** `3 h ago`, `in 2 days`. */
export const relative = (ms: number, now: number): string => {
  const d = Math.abs(ms - now)
  const n = d < 90_000
    ? `${Math.round(d / 1000)} s`
    : d < 90 * 60_000
    ? `${Math.round(d / 60_000)} min`
    : d < 48 * 3_600_000
    ? `${Math.round(d / 3_600_000)} h`
    : `${Math.round(d / 86_400_000)} days`
  return ms <= now ? `${n} ago` : `in ${n}`
}

const lastOr = (ms: number | undefined, none: string) => (ms === undefined ? none : `last ${formatTime(ms)}`)

/** Whether a 4xx answer caused the failure (then the token is the likely culprit). */
export const is4xx = (reason: string): boolean => /\bHTTP 4\d\d\b/.test(reason)

/** A status string from outside, made safe to show on one line. */
const shown = (s: string): string => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s)

type Part = string | AdviceSegment
const code = (text: string): AdviceSegment => ({ kind: "code", text })

/** Joins parts into segments, merging neighbouring text. */
const segments = (...parts: ReadonlyArray<Part>): Array<AdviceSegment> => {
  const out: Array<AdviceSegment> = []
  for (const p of parts) {
    const s: AdviceSegment = typeof p === "string" ? { kind: "text", text: p } : p
    if (s.text === "") continue
    const prev = out[out.length - 1]
    if (prev !== undefined && prev.kind === "text" && s.kind === "text") out[out.length - 1] = { kind: "text", text: prev.text + s.text }
    else out.push(s)
  }
  return out
}

/** The advice as plain text (the terminal, and the `advice` string of the view). */
export const adviceText = (parts: ReadonlyArray<AdviceSegment>): string => parts.map((p) => p.text).join("")

const SEND_EVENTS = code("etpro-telemetry send-events")
const SEND_HEARTBEAT = code("etpro-telemetry send-heartbeat --direct")
const SYSLOG = ["search the system log for ", code("emergingthreats")]

export const advice = (f: AdviceFacts): ReadonlyArray<AdviceSegment> | null => {
  const w = f.windows ?? DEFAULT_WINDOWS
  const sendBoth: ReadonlyArray<Part> = ["send events (", SEND_EVENTS, ") and a heartbeat (", SEND_HEARTBEAT, ")"]
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
      return segments(
        `DISABLED${on}: no event reached the service for ${formatWindow(w.disableAfterMs)}${since}, so ET Open is `,
        "served instead of ET Pro. To get ET Pro back, ",
        ...sendBoth,
        "; check that alerts of the telemetry rules are selected with ",
        code("etpro-telemetry dump --parsed"),
        "."
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
      const fix: ReadonlyArray<Part> = noHeartbeat && !noEvent
        ? ["send a heartbeat (", SEND_HEARTBEAT, ")"]
        : !noHeartbeat && noEvent
        ? ["send events (", SEND_EVENTS, ")"]
        : sendBoth
      const until = f.disableDate === undefined
        ? `it turns DISABLED ${formatWindow(w.disableAfterMs)} after the last event unless an event is received`
        : `it turns DISABLED on ${formatTime(f.disableDate)} unless an event is received`
      return segments(`DORMANT: ${missing.join(" and ")}; ET Pro is still served. To become ACTIVE, `, ...fix, `; ${until}.`)
    }
    case "unreachable": {
      const known = f.lastKnown === undefined
        ? "No license status has been received yet"
        : `Last known status ${f.lastKnown.status}, from ${formatTime(f.lastKnown.at)} (${relative(f.lastKnown.at, f.now)})`
      return segments(
        `The telemetry service cannot be reached: ${f.reason ?? "unknown cause"}. ${known}. Check that this sensor `,
        "reaches the service (",
        code("etpro-telemetry sensor-info"),
        ") and ",
        ...SYSLOG,
        " for earlier failures."
      )
    }
    case "failed": {
      const reason = f.reason ?? "unknown cause"
      const token: ReadonlyArray<Part> = is4xx(reason)
        ? [" Check the token for leading/trailing spaces (", code("etpro-telemetry token set TOKEN"), " stores it trimmed)."]
        : []
      return segments(`The license status could not be fetched: ${reason}.`, ...token, " To find earlier failures, ", ...SYSLOG, ".")
    }
    case "unconfigured":
      return segments(
        "No telemetry token: set it with ",
        code("etpro-telemetry token set TOKEN"),
        ` (the agent's own token file); on OPNsense, fill in the ET telemetry token field of the IDS settings instead, which OPNsense writes to ${f.configPath}.`
      )
    case "unknown":
      return f.rawStatus !== undefined
        ? segments(
          `The service reported the unknown status ${shown(f.rawStatus)}: shown as unknown, not trusted. Check that `,
          code("--base-url"),
          " points at the telemetry service, and ",
          ...SYSLOG,
          "."
        )
        : segments("No license status known yet: ask the service with ", code("etpro-telemetry sensor-info"), ".")
  }
}
