/**
 * The status widget's view model (SPEC section 7): what `status`, `status --json`, `/api/status` and the web
 * page show. CONTRACT: other parts build on these fields; extend compatibly. `widgetView(...)` builds it, purely.
 * Times are ISO 8601 strings (UTC) or null; the page renders them in the viewer's local time.
 */
import { advice, formatTime } from "./Advice.js"
import type { AgentState, TaskResult } from "./AgentState.js"
import { DEFAULT_WINDOWS, license, type LicenseWindows, parseLicenseStatus, rulesetFor } from "./License.js"
import type { WidgetStatus } from "./StatusNames.js"

export type { WidgetStatus }

export interface WidgetView {
  readonly status: WidgetStatus
  /** Why, for failed / unknown (e.g. "connection refused by https://..."); null otherwise. */
  readonly reason: string | null
  /** ET Pro while ACTIVE/DORMANT, ET Open when DISABLED, null when not known. */
  readonly ruleset: "ET Pro" | "ET Open" | null
  readonly lastEvent: string | null
  readonly lastRuleDownload: string | null
  readonly lastHeartbeat: string | null
  readonly disableDate: string | null
  /** The next transition if nothing arrives: "DISABLED on … unless an event is received". */
  readonly next: { readonly to: string; readonly at: string; readonly unless: string } | null
  /** One line for every state that is not ACTIVE; null when ACTIVE. */
  readonly advice: string | null
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
    /** 24 buckets, oldest first, `hour` as ISO. */
    readonly hourly: ReadonlyArray<{ readonly hour: string; readonly sent: number }>
    /** The message of the last failed delivery, if the last one failed. */
    readonly lastDeliveryError: string | null
  }
  /** When the sensor info was fetched (ISO). */
  readonly checkedAt: string | null
  readonly generatedAt: string
  /**
   * Set when the service could not be asked just now and an earlier answer (from `checkedAt`) is shown:
   * why it could not be asked. Null or absent when the answer is fresh.
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
  /** The answer to show: fresh, or an earlier one when `stale` is set; undefined when never asked. */
  readonly sensorInfo: SensorInfoAnswer | undefined
  /** Why the service could not be asked just now, when an earlier answer is shown instead. */
  readonly stale?: string | undefined
  readonly state: AgentState
  readonly now: number
  /** rule-updater.config, for the advice on a missing token. */
  readonly configPath: string
  readonly windows?: LicenseWindows | undefined
}

const HOUR = 3_600_000

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

export const widgetView = (input: WidgetInput): WidgetView => {
  const { state, now } = input
  const w = input.windows ?? DEFAULT_WINDOWS
  const result = input.sensorInfo?.result
  const kind = result?.["status"]

  let status: WidgetStatus
  let reason: string | null = null
  let rawStatus: string | undefined
  if (result === undefined) {
    status = "unknown"
    reason = "no sensor information yet"
  } else if (kind === "ok") {
    status = parseLicenseStatus(result["sensor_status"])
    if (status === "unknown") {
      const raw = result["sensor_status"]
      rawStatus = typeof raw === "string" ? raw : JSON.stringify(raw ?? null)
      reason = `the service reported sensor_status ${JSON.stringify(rawStatus.slice(0, 40))}`
    }
  } else if (kind === "failed") {
    status = "failed"
    reason = typeof result["response"] === "string" && result["response"] !== "" ? result["response"] : "unknown cause"
  } else if (kind === "unconfigured") {
    status = "unconfigured"
  } else {
    status = "unknown"
    reason = "unreadable sensor information"
  }

  const ok = kind === "ok" && result !== undefined
  const created = ok ? parseServiceTime(result["created"]) : undefined
  const lastEvent = ok ? parseServiceTime(result["event_received"]) : undefined
  const lastHeartbeat = ok ? parseServiceTime(result["last_heartbeat"]) : undefined
  const lastRuleDownload = ok ? parseServiceTime(result["last_rule_download"]) : undefined
  const serviceDisable = ok ? parseServiceTime(result["disable_date"]) : undefined

  const registered = created ?? lastEvent
  const model = registered === undefined ? undefined : license({ created: registered, lastEvent, lastHeartbeat }, now, w)
  const disableDate = serviceDisable ?? (status === "unknown" ? undefined : model?.disableDate)

  let next: WidgetView["next"] = null
  if (status === "ACTIVE" || status === "DORMANT") {
    const t = model?.status === status ? model.next : undefined
    if (t !== undefined && !(t.to === "DISABLED" && disableDate !== undefined)) {
      next = { to: t.to, at: new Date(t.at).toISOString(), unless: t.unless }
    } else if (status === "DORMANT" && disableDate !== undefined) {
      next = { to: "DISABLED", at: new Date(disableDate).toISOString(), unless: "an event is received" }
    } else if (t !== undefined) next = { to: t.to, at: new Date(t.at).toISOString(), unless: t.unless }
  }

  const hourNow = Math.floor(now / HOUR) * HOUR
  const first = hourNow - 23 * HOUR
  const sentByHour = new Map<number, number>()
  const last24h = { sent: 0, rejected: 0, expired: 0 }
  for (const b of state.hourly) {
    if (b.hour < first || b.hour > hourNow) continue
    const h = Math.floor(b.hour / HOUR) * HOUR
    sentByHour.set(h, (sentByHour.get(h) ?? 0) + b.sent)
    last24h.sent += b.sent
    last24h.rejected += b.rejected
    last24h.expired += b.expired
  }
  const hourly = Array.from({ length: 24 }, (_, i) => {
    const h = first + i * HOUR
    return { hour: new Date(h).toISOString(), sent: sentByHour.get(h) ?? 0 }
  })

  return {
    status,
    reason,
    ruleset: status === "ACTIVE" || status === "DORMANT" || status === "DISABLED" ? rulesetFor(status) : null,
    lastEvent: iso(lastEvent),
    lastRuleDownload: iso(lastRuleDownload),
    lastHeartbeat: iso(lastHeartbeat),
    disableDate: iso(disableDate),
    next,
    advice: advice({
      status,
      reason,
      rawStatus,
      created,
      lastEvent,
      lastHeartbeat,
      disableDate,
      now,
      configPath: input.configPath,
      windows: w
    }),
    agent: {
      lastSend: task(state.lastSend),
      lastHeartbeat: task(state.lastHeartbeat),
      lastRules: task(state.lastRules),
      counters: { ...state.counters },
      last24h,
      hourly,
      lastDeliveryError: state.lastSend !== undefined && !state.lastSend.ok ? state.lastSend.message : null
    },
    checkedAt: input.sensorInfo === undefined ? null : new Date(input.sensorInfo.at).toISOString(),
    generatedAt: new Date(now).toISOString(),
    stale: input.stale === undefined ? null : { reason: input.stale }
  }
}

// --- The terminal rendering of a view (`status` without --json) ---

/** `3 h ago`, `in 2 days`. */
export const relative = (ms: number, now: number): string => {
  const d = Math.abs(ms - now)
  const n = d < 90_000
    ? `${Math.round(d / 1000)} s`
    : d < 90 * 60_000
    ? `${Math.round(d / 60_000)} min`
    : d < 48 * HOUR
    ? `${Math.round(d / HOUR)} h`
    : `${Math.round(d / 86_400_000)} days`
  return ms <= now ? `${n} ago` : `in ${n}`
}

/** Text from outside (service answers, recorded messages) made safe for a terminal: no control characters. */
export const printable = (s: string): string => s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, "?")

export const renderWidget = (v: WidgetView): string => {
  const now = Date.parse(v.generatedAt)
  const when = (s: string | null, none = "never") => (s === null ? none : `${formatTime(Date.parse(s))} (${relative(Date.parse(s), now)})`)
  const taskLine = (t: WidgetView["agent"]["lastSend"]) =>
    t === null ? "never" : `${t.ok ? "ok" : "FAILED"} ${when(t.at)}: ${t.message}`
  const rows: Array<[string, string]> = [
    ["status", v.reason === null ? v.status : `${v.status} (${v.reason})`],
    ["ruleset served", v.ruleset ?? "unknown"],
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
  if (v.stale != null) {
    out.push(`note: the service could not be asked (${printable(v.stale.reason)}); showing the answer from ${when(v.checkedAt)}`)
  }
  if (v.advice !== null) out.push(`advice: ${printable(v.advice)}`)
  return out.join("\n") + "\n"
}
