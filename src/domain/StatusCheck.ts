/**
 * `status --check` (SPEC section 10), pure: a widget view → one line and an exit code in the monitoring-plugin
 * convention (Nagios, Icinga, monit, Zabbix): 0 OK = ACTIVE, 1 WARNING = DORMANT (or the service unreachable
 * for a while), 2 CRITICAL = DISABLED, the token refused, or the service unreachable for longer than the
 * threshold, 3 UNKNOWN = no token, or no license status ever received.
 */
import { formatTime, formatWindow, relative } from "./Advice.js"
import { printable, type WidgetView } from "./Widget.js"

export type CheckCode = 0 | 1 | 2 | 3

export interface CheckResult {
  readonly code: CheckCode
  /** One line, without a newline: `ETPRO TELEMETRY OK - ACTIVE, ... | sent_24h=12;;;0 ...`. */
  readonly line: string
}

/** How long the service may be unreachable before the check turns CRITICAL [1 h: an hourly heartbeat missed]. */
export const DEFAULT_UNREACHABLE_AFTER_MS = 3_600_000

const LABEL: Record<CheckCode, string> = { 0: "OK", 1: "WARNING", 2: "CRITICAL", 3: "UNKNOWN" }

const licenseCode = (s: string): CheckCode | undefined =>
  s === "ACTIVE" ? 0 : s === "DORMANT" ? 1 : s === "DISABLED" ? 2 : undefined

export const statusCheck = (v: WidgetView, unreachableAfterMs: number = DEFAULT_UNREACHABLE_AFTER_MS): CheckResult => {
  const now = Date.parse(v.generatedAt)
  const ago = (iso: string | null, none: string) => (iso === null ? none : relative(Date.parse(iso), now))
  const served = v.ruleset === null ? "" : `, ${v.ruleset} served`
  let code: CheckCode
  let text: string
  switch (v.status) {
    case "ACTIVE":
      code = 0
      text = `ACTIVE${served}; last event ${ago(v.lastEvent, "never")}, last heartbeat ${ago(v.lastHeartbeat, "never")}`
      break
    case "DORMANT":
      code = 1
      text = `DORMANT${served}` +
        (v.next === null ? "" : `; ${v.next.to} on ${formatTime(Date.parse(v.next.at))} unless ${v.next.unless}`)
      break
    case "DISABLED":
      code = 2
      text = `DISABLED${served}` + (v.disableDate === null ? "" : ` since ${formatTime(Date.parse(v.disableDate))}`)
      break
    case "unreachable": {
      const known = v.lastKnown
      const since = known === null ? undefined : now - Date.parse(known.at)
      const why = `the service cannot be reached (${v.reason ?? "unknown cause"})`
      if (known === null || since === undefined || Number.isNaN(since)) {
        code = 3
        text = `UNREACHABLE: ${why}; no license status received yet`
      } else {
        const longer = since > unreachableAfterMs
        code = longer ? 2 : Math.max(1, licenseCode(known.status) ?? 1) as CheckCode
        text = `UNREACHABLE for ${relative(Date.parse(known.at), now).replace(/ ago$/, "")}: ${why}; last known ` +
          `${known.status.toUpperCase()} from ${formatTime(Date.parse(known.at))}; critical after ${formatWindow(unreachableAfterMs)}`
      }
      break
    }
    case "failed":
      code = 2
      text = `FAILED: ${v.reason ?? "unknown cause"}`
      break
    case "unconfigured":
      code = 3
      text = "UNCONFIGURED: no telemetry token"
      break
    default:
      code = 3
      text = `UNKNOWN: ${v.reason ?? "no license status known"}`
  }
  const d = v.agent.last24h
  const perf = `sent_24h=${d.sent};;;0 rejected_24h=${d.rejected};;;0 expired_24h=${d.expired};;;0`
  return { code, line: printable(`ETPRO TELEMETRY ${LABEL[code]} - ${text.replace(/\|/g, "/")} | ${perf}`) }
}
