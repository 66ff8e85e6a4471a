/**
 * The sensor's license status as the agent holds it: which status follows the service's answer to
 * `sensor-info`, and what the widget and `status` show for a status. Both ask the domain (Widget.ts,
 * License.ts, StatusNames.ts); nothing here decides on its own.
 */
import type { AgentState } from "../domain/AgentState.js"
import { rulesetFor } from "../domain/License.js"
import { isLicenseStatus, type LicenseStatus, STATUS_TONE, type WidgetStatus } from "../domain/StatusNames.js"
import { widgetView } from "../domain/Widget.js"

export type { LicenseStatus, WidgetStatus }

/** The service's answer to `sensor-info`, as the command prints it, or that the service could not be asked. */
export type LicenseAnswer =
  | { readonly status: "ok"; readonly sensor_status?: unknown; readonly [field: string]: unknown }
  | { readonly status: "failed"; readonly response?: string }
  | { readonly status: "unconfigured" }
  | { readonly status: "unreachable"; readonly reason: string }

export interface LicenseState {
  /** What is shown now: a status the service just confirmed, or why there is none. */
  readonly status: WidgetStatus
  /** The status of the service's last `ok` answer, shown beside `unreachable`; null when there was none. */
  readonly lastConfirmed: WidgetStatus | null
}

/**
 * The widget's agent section is not asked here, so it reads an agent that has done nothing. Written out rather
 * than AgentState.emptyState: importing that module brings effect's Schema (and fast-check) into the bundle,
 * ~170 KB of a serverless function's 590 KB.
 */
const NO_AGENT: AgentState = {
  version: 1,
  files: [],
  counters: { read: 0, selected: 0, sent: 0, rejected: 0, expired: 0, skippedBadLine: 0 },
  hourly: []
}

export const initialLicenseState: LicenseState = { status: "unknown", lastConfirmed: null }

/**
 * The state after the service's answer. A status is shown only as the service just gave it: when the service
 * cannot be asked, the status is `unreachable` and the last confirmed one is kept beside it, never shown
 * as current.
 */
export const nextLicenseStatus = (current: LicenseState | WidgetStatus, answer: LicenseAnswer): LicenseState => {
  const state = typeof current === "string" ? { status: current, lastConfirmed: isLicenseStatus(current) ? current : null } : current
  const base = { state: NO_AGENT, now: 0, configPath: "" }
  if (answer.status === "unreachable") {
    const last = state.lastConfirmed
    const view = widgetView({
      ...base,
      // The widget reads the last `ok` answer for its "last known" status.
      sensorInfo: last === null ? undefined : { at: 0, result: { status: "ok", sensor_status: last } },
      unreachable: answer.reason
    })
    return { status: view.status, lastConfirmed: view.lastKnown?.status ?? null }
  }
  const view = widgetView({ ...base, sensorInfo: { at: 0, result: answer } })
  return { status: view.status, lastConfirmed: answer.status === "ok" ? view.status : state.lastConfirmed }
}

export interface LicenseView {
  readonly status: WidgetStatus
  /** ET Pro while ACTIVE or DORMANT, ET Open when DISABLED; null when no license status is known. */
  readonly ruleset: "ET Pro" | "ET Open" | null
  /** The page's colour: healthy, at risk, lost, service down; `muted` for the rest. */
  readonly tone: "ok" | "warn" | "bad" | "down" | "muted"
}

/** What the widget and `status` show for a status. */
export const licenseView = (status: WidgetStatus): LicenseView => ({
  status,
  ruleset: isLicenseStatus(status) ? rulesetFor(status as LicenseStatus) : null,
  tone: STATUS_TONE[status] ?? "muted"
})
