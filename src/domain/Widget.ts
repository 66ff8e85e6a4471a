/**
 * The status widget's view model (SPEC section 7): what `status`, `status --json`, `/api/status` and the web
 * page show. CONTRACT: other parts build on these fields; extend compatibly. `widgetView(...)` builds it, purely.
 * Times are ISO 8601 strings (UTC) or null; the terminal and the page show them in UTC, saying so.
 */
import { advice, type AdviceSegment, adviceText, formatTime, relative } from "./Advice.js"
import type { AgentState, TaskResult } from "./AgentState.js"
import { alertSeries, type DayPoint, type HourPoint } from "./AlertSeries.js"
import { DEFAULT_WINDOWS, license, type LicenseWindows, parseLicenseStatus, rulesetFor } from "./License.js"

import { isLicenseStatus, type WidgetStatus } from "./StatusNames.js"

export type { AdviceSegment, WidgetStatus }

export interface WidgetView {
  /**
   * The license status the service gave just now; `unreachable` when it could not be asked (network, timeout,
   * 5xx, an answer that is not the API's): then `lastKnown` holds its last answer. Never a license status
   * that was not just confirmed.
   */
  readonly status: WidgetStatus
  /** Why, for failed / unreachable / unknown (e.g. "connection refused by https://..."); null otherwise. */
  readonly reason: string | null
  /** ET Pro while ACTIVE/DORMANT, ET Open when DISABLED, null when not known. */
  readonly ruleset: "ET Pro" | "ET Open" | null
  /** While unreachable: the service's last answer and when it was given (its age is generatedAt - at). */
  readonly lastKnown: { readonly status: WidgetStatus; readonly ruleset: "ET Pro" | "ET Open" | null; readonly at: string } | null
  readonly lastEvent: string | null
  readonly lastRuleDownload: string | null
  readonly lastHeartbeat: string | null
  readonly disableDate: string | null
  /** The next transition if nothing arrives: "DISABLED on … unless an event is received". */
  readonly next: { readonly to: string; readonly at: string; readonly unless: string } | null
  /** One line for every state that is not ACTIVE; null when ACTIVE. Plain text: commands are not marked. */
  readonly advice: string | null
  /** The same advice with commands marked as code (rendered as <code> on the page). */
  readonly adviceParts: ReadonlyArray<AdviceSegment> | null
  readonly agent: {
    readonly lastSend: { readonly at: string; readonly ok: boolean; readonly message: string } | null
    readonly lastHeartbeat: { readonly at: string; readonly ok: boolean; readonly message: string } | null
    readonly lastRules: { readonly at: string; readonly ok: boolean; readonly message: string } | null
    readonly counters: {
      readonly read: number
      readonly selected: number
      readonly sent: number
      readonly rejected: number
      readonly expired: number
      readonly skippedBadLine: number
    }
    /** Sums over the last 24 hours. */
    readonly last24h: { readonly sent: number; readonly rejected: number; readonly expired: number }
    /** 24 buckets, oldest first, `hour` as ISO; `seen`: alerts selected for sending (null: not counted then). */
    readonly hourly: ReadonlyArray<HourPoint>
    /** 7 UTC days, oldest first, `day` as ISO (midnight UTC). */
    readonly daily: ReadonlyArray<DayPoint>
    /** The message of the last failed delivery, if the last one failed. */
    readonly lastDeliveryError: string | null
  }
  /** When the license facts shown were fetched (ISO): the last answer when unreachable. */
  readonly checkedAt: string | null
  readonly generatedAt: string
  /**
   * Set when the service could not be asked just now and the facts shown (last event, ...) are from the earlier
   * answer of `checkedAt`: why it could not be asked. Null or absent when the answer is fresh.
   */
  readonly stale?: { readonly reason: string } | null
}

// --- The builder (pure: the sensor-info answer, the agent state and the time are passed in) ---


/** A sensor-info answer as `sensor-info` prints it, and when it was asked (epoch ms). */
export interface SensorInfoAnswer {
  readonly at: number
  readonly result: Readonly<Record<string, unknown>>
}

export interface WidgetInput {
  /** The answer just received; when `unreachable` is set, the last `ok` one (undefined: never asked / none). */
  readonly sensorInfo: SensorInfoAnswer | undefined
  /** Why the service could not be reached just now (network, timeout, 5xx, an answer not from the API). */
  readonly unreachable?: string | undefined
  readonly state: AgentState
  readonly now: number
  /** rule-updater.config, for the advice on a missing token. */
  readonly configPath: string
  readonly windows?: LicenseWindows | undefined
}

/** An ISO 8601 time from the service → epoch ms; a time without zone is UTC; anything else undefined. */
export const parseServiceTime = (v: unknown): number | undefined => {
  if (typeof v !== "string") return undefined
  const s = v.trim()
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.test(s)) return undefined
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(s) && s.length > 10
  const iso = s.replace(" ", "T").replace(/([+-]\d{2})(\d{2})$/, "$1:$2")
  const ms = Date.parse(hasZone || iso.length === 10 ? iso : `${iso}Z`)
  return Number.isNaN(ms) ? undefined : ms
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString())

const task = (t: TaskResult | undefined) =>
  t === undefined ? null : { at: new Date(t.at).toISOString(), ok: t.ok, message: t.message }

/** The service's answer, read: a status, and why when it is not a license status. */
const readAnswer = (result: Readonly<Record<string, unknown>> | undefined) => {
  const kind = result?.["status"]
  if (result === undefined) return { status: "unknown" as WidgetStatus, reason: "no sensor information yet" }
  if (kind === "ok") {
    const status = parseLicenseStatus(result["sensor_status"])
    if (status !== "unknown") return { status: status as WidgetStatus, reason: null }
    const raw = result["sensor_status"]
    const rawStatus = typeof raw === "string" ? raw : JSON.stringify(raw ?? null)
    return { status: status as WidgetStatus, reason: `the service reported sensor_status ${JSON.stringify(rawStatus.slice(0, 40))}`, rawStatus }
  }
  if (kind === "failed") {
    const r = result["response"]
    return { status: "failed" as WidgetStatus, reason: typeof r === "string" && r !== "" ? r : "unknown cause" }
  }
  if (kind === "unconfigured") return { status: "unconfigured" as WidgetStatus, reason: null }
  return { status: "unknown" as WidgetStatus, reason: "unreadable sensor information" }
}

export const widgetView = (input: WidgetInput): WidgetView => {
  const { state, now } = input
  const w = input.windows ?? DEFAULT_WINDOWS
  const result = input.sensorInfo?.result
  const kind = result?.["status"]
  const answer = readAnswer(result)
  const unreachable = input.unreachable !== undefined
  // While unreachable, the last answer is only "last known": never shown as the status.
  const lastKnown = unreachable && input.sensorInfo !== undefined && kind === "ok"
    ? { status: answer.status, ruleset: isLicenseStatus(answer.status) ? rulesetFor(answer.status) : null, at: input.sensorInfo.at }
    : undefined
  const status: WidgetStatus = unreachable ? "unreachable" : answer.status
  const reason = unreachable ? input.unreachable ?? null : answer.reason

  const ok = kind === "ok" && result !== undefined
  const created = ok ? parseServiceTime(result["created"]) : undefined
  const lastEvent = ok ? parseServiceTime(result["event_received"]) : undefined
  const lastHeartbeat = ok ? parseServiceTime(result["last_heartbeat"]) : undefined
  const lastRuleDownload = ok ? parseServiceTime(result["last_rule_download"]) : undefined
  const serviceDisable = ok ? parseServiceTime(result["disable_date"]) : undefined

  const registered = created ?? lastEvent
  const model = registered === undefined ? undefined : license({ created: registered, lastEvent, lastHeartbeat }, now, w)
  const disableDate = serviceDisable ?? (answer.status === "unknown" ? undefined : model?.disableDate)

  let next: WidgetView["next"] = null
  if (status === "ACTIVE" || status === "DORMANT") {
    const t = model?.status === status ? model.next : undefined
    if (t !== undefined && !(t.to === "DISABLED" && disableDate !== undefined)) {
      next = { to: t.to, at: new Date(t.at).toISOString(), unless: t.unless }
    } else if (status === "DORMANT" && disableDate !== undefined) {
      next = { to: "DISABLED", at: new Date(disableDate).toISOString(), unless: "an event is received" }
    } else if (t !== undefined) next = { to: t.to, at: new Date(t.at).toISOString(), unless: t.unless }
  }

  const series = alertSeries(state.hourly, now)
  const parts = advice({
    status,
    reason,
    rawStatus: unreachable ? undefined : answer.rawStatus,
    lastKnown,
    created,
    lastEvent,
    lastHeartbeat,
    disableDate,
    now,
    configPath: input.configPath,
    windows: w
  })

  return {
    status,
    reason,
    ruleset: isLicenseStatus(status) ? rulesetFor(status) : null,
    lastKnown: lastKnown === undefined ? null : { ...lastKnown, at: new Date(lastKnown.at).toISOString() },
    lastEvent: iso(lastEvent),
    lastRuleDownload: iso(lastRuleDownload),
    lastHeartbeat: iso(lastHeartbeat),
    disableDate: iso(disableDate),
    next,
    advice: parts === null ? null : adviceText(parts),
    adviceParts: parts,
    agent: {
      lastSend: task(state.lastSend),
      lastHeartbeat: task(state.lastHeartbeat),
      lastRules: task(state.lastRules),
      counters: { ...state.counters },
      last24h: series.last24h,
      hourly: series.hourly,
      daily: series.daily,
      lastDeliveryError: state.lastSend !== undefined && !state.lastSend.ok ? state.lastSend.message : null
    },
    checkedAt: input.sensorInfo === undefined ? null : new Date(input.sensorInfo.at).toISOString(),
    generatedAt: new Date(now).toISOString(),
    stale: unreachable && input.sensorInfo !== undefined ? { reason: input.unreachable! } : null
  }
}

// --- The terminal rendering of a view (`status` without --json) ---

/** Text from outside (service answers, recorded messages) made safe for a terminal: no control characters. */
export const printable = (s: string): string => s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, "?")

/** `ACTIVE (ET Pro served), from 2026-11-27 10:05 UTC (12 min ago)`: a status with its age. */
export const lastKnownText = (k: NonNullable<WidgetView["lastKnown"]>, now: number): string => {
  const at = Date.parse(k.at)
  return `${k.status.toUpperCase()}${k.ruleset === null ? "" : ` (${k.ruleset} served)`}, from ${formatTime(at)} (${relative(at, now)})`
}

export const renderWidget = (v: WidgetView): string => {
  const now = Date.parse(v.generatedAt)
  const when = (s: string | null, none = "never") => (s === null ? none : `${formatTime(Date.parse(s))} (${relative(Date.parse(s), now)})`)
  const taskLine = (t: WidgetView["agent"]["lastSend"]) =>
    t === null ? "never" : `${t.ok ? "ok" : "FAILED"} ${when(t.at)}: ${t.message}`
  const rows: Array<[string, string]> = [
    ["status", v.reason === null ? v.status.toUpperCase() : `${v.status.toUpperCase()} (${v.reason})`],
    ...(v.lastKnown === null ? [] : [["last known", lastKnownText(v.lastKnown, now)] as [string, string]]),
    ["ruleset served", v.ruleset ?? "not known"],
    ["last event", when(v.lastEvent)],
    ["last rule download", when(v.lastRuleDownload)],
    ["last heartbeat", when(v.lastHeartbeat)],
    ["disable date", when(v.disableDate, "unknown")]
  ]
  if (v.next !== null) rows.push(["next", `${v.next.to} on ${when(v.next.at)} unless ${v.next.unless}`])
  rows.push(["checked", v.checkedAt === null ? "never" : when(v.checkedAt)])
  const c = v.agent.counters
  const agent: Array<[string, string]> = [
    ["last send", taskLine(v.agent.lastSend)],
    ["last heartbeat", taskLine(v.agent.lastHeartbeat)],
    ["last rules update", taskLine(v.agent.lastRules)],
    ["counters", `read ${c.read}, selected ${c.selected}, sent ${c.sent}, rejected ${c.rejected}, expired ${c.expired}, bad lines ${c.skippedBadLine}`],
    ["last 24 h", `sent ${v.agent.last24h.sent}, rejected ${v.agent.last24h.rejected}, expired ${v.agent.last24h.expired}`]
  ]
  const width = Math.max(...[...rows, ...agent].map(([k]) => k.length)) + 2
  const fmt = ([k, val]: [string, string]) => `  ${k.padEnd(width)}${printable(val)}`
  const out = ["ET Pro Telemetry: license", ...rows.map(fmt), "agent", ...agent.map(fmt)]
  if (v.advice !== null) out.push(`advice: ${printable(v.advice)}`)
  return out.join("\n") + "\n"
}
