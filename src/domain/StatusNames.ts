/**
 * The names of a sensor's license status (SPEC section 7), said once: the license model, the service, the
 * status widget and the status page all take them from here.
 */
export const LICENSE_STATUSES = ["ACTIVE", "DORMANT", "DISABLED"] as const
export type LicenseStatus = (typeof LICENSE_STATUSES)[number]

export const isLicenseStatus = (s: unknown): s is LicenseStatus => (LICENSE_STATUSES as ReadonlyArray<unknown>).includes(s)

/** What the status widget shows: a license status, or why there is none. */
export type WidgetStatus = LicenseStatus | "failed" | "unconfigured" | "unknown"

/** How a status is coloured on the page: healthy, at risk, lost. */
export const LICENSE_TONE: Readonly<Record<LicenseStatus, "ok" | "warn" | "bad">> = {
  ACTIVE: "ok",
  DORMANT: "warn",
  DISABLED: "bad"
}
