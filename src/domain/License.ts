/**
 * The license model (SPEC section 7), pure: the reference service, `replay` and the status widget all ask it.
 * disable_date = max(created, last event) + 5 days; DISABLED from then on; before it, ACTIVE while a heartbeat
 * arrived within 2 h and an event (or the registration) within 24 h; otherwise DORMANT.
 */
import { isLicenseStatus, type LicenseStatus } from "./StatusNames.js"

export type Ruleset = "ET Pro" | "ET Open"

export interface LicenseWindows {
  readonly disableAfterMs: number
  readonly heartbeatWithinMs: number
  readonly eventWithinMs: number
}

export const DEFAULT_WINDOWS: LicenseWindows = {
  disableAfterMs: 5 * 86_400_000,
  heartbeatWithinMs: 2 * 3_600_000,
  eventWithinMs: 24 * 3_600_000
}

/** Epoch milliseconds. */
export interface LicenseFacts {
  readonly created: number
  readonly lastEvent?: number | undefined
  readonly lastHeartbeat?: number | undefined
}

export interface Transition {
  readonly to: LicenseStatus
  readonly at: number
  /** What would prevent it, for the advice line: "unless an event is received". */
  readonly unless: string
}

export interface License {
  readonly status: LicenseStatus
  readonly disableDate: number
  readonly ruleset: Ruleset
  /** The next change if nothing arrives; none once DISABLED (only new events and a heartbeat revive it). */
  readonly next?: Transition | undefined
}

export const rulesetFor = (s: LicenseStatus): Ruleset => (s === "DISABLED" ? "ET Open" : "ET Pro")

export const license = (facts: LicenseFacts, now: number, w: LicenseWindows = DEFAULT_WINDOWS): License => {
  const lastActivity = Math.max(facts.created, facts.lastEvent ?? facts.created)
  const disableDate = lastActivity + w.disableAfterMs
  if (now >= disableDate) return { status: "DISABLED", disableDate, ruleset: "ET Open" }
  const heartbeatUntil = facts.lastHeartbeat === undefined ? -Infinity : facts.lastHeartbeat + w.heartbeatWithinMs
  const eventUntil = lastActivity + w.eventWithinMs
  const disabled: Transition = { to: "DISABLED", at: disableDate, unless: "an event is received" }
  if (now < heartbeatUntil && now < eventUntil) {
    const at = Math.min(heartbeatUntil, eventUntil)
    // With windows where the event window outlasts the disable window, DISABLED comes first.
    if (disableDate <= at) return { status: "ACTIVE", disableDate, ruleset: "ET Pro", next: disabled }
    const unless = heartbeatUntil === eventUntil
      ? "a heartbeat and an event are received"
      : heartbeatUntil < eventUntil
      ? "a heartbeat is received"
      : "an event is received"
    return { status: "ACTIVE", disableDate, ruleset: "ET Pro", next: { to: "DORMANT", at, unless } }
  }
  return { status: "DORMANT", disableDate, ruleset: "ET Pro", next: disabled }
}

/**
 * A status string from the service, in any case (the real API sends `active`; SPEC section 2); anything
 * unexpected is "unknown", never trusted.
 */
export const parseLicenseStatus = (s: unknown): LicenseStatus | "unknown" => {
  const upper = typeof s === "string" ? s.toUpperCase() : s
  return isLicenseStatus(upper) ? upper : "unknown"
}
