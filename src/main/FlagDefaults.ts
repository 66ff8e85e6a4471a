/**
 * Defaults of the flags the send-events start-up entry reads without @effect/cli (./SendEventsFastPath.ts),
 * shared with the @effect/cli declarations so both read the same values.
 */
export const DEFAULT_BASE_URL = "https://opnsense.emergingthreats.net"
export const DEFAULT_TIMEOUT = "5s"
export const DEFAULT_MAX_AGE = "1d"
