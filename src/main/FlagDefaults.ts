/** Defaults of the flags several commands declare (send-events, run, demo, the service flags), read once here. */
export const DEFAULT_BASE_URL = "https://opnsense.emergingthreats.net"
export const DEFAULT_TIMEOUT = "5s"
export const DEFAULT_MAX_AGE = "1d"
