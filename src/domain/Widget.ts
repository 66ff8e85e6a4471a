/**
 * The status widget's view model (SPEC section 7): what `status`, `status --json`, `/api/status` and the web
 * page show. CONTRACT for now: the pure builder `widgetView(...)` comes with the heartbeat/status issue.
 * Times are ISO 8601 strings (UTC) or null; the page renders them in the viewer's local time.
 */
export type WidgetStatus = "ACTIVE" | "DORMANT" | "DISABLED" | "failed" | "unconfigured" | "unknown"

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
}
