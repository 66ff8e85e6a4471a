/**
 * The names of a sensor's license status (SPEC section 7), said once: the license model, the service, the
 * status widget and the status page all take them from here.
 */
export const LICENSE_STATUSES = ["ACTIVE", "DORMANT", "DISABLED"] as const
export type LicenseStatus = (typeof LICENSE_STATUSES)[number]

export const isLicenseStatus = (s: unknown): s is LicenseStatus => (LICENSE_STATUSES as ReadonlyArray<unknown>).includes(s)

/** A status as it crosses the wire: lower case, as the real API sends it and OPNsense's widget expects. */
export const wireStatus = (s: LicenseStatus): Lowercase<LicenseStatus> => s.toLowerCase() as Lowercase<LicenseStatus>

/**
 * What the status widget shows: a license status just confirmed by the service, or why there is none
 * (`unreachable`: the service could not be asked; `failed`: it refused or answered wrongly).
 */
export type WidgetStatus = LicenseStatus | "unreachable" | "failed" | "unconfigured" | "unknown"

/** How a status is coloured on the page: healthy, at risk, lost. */
export const LICENSE_TONE: Readonly<Record<LicenseStatus, "ok" | "warn" | "bad">> = {
  ACTIVE: "ok",
  DORMANT: "warn",
  DISABLED: "bad"
}

/** The page's colour for every widget status that has one (the others are muted). */
export const STATUS_TONE: Readonly<Partial<Record<WidgetStatus, "ok" | "warn" | "bad" | "down">>> = {
  ...LICENSE_TONE,
  unreachable: "down",
  failed: "down"
}
