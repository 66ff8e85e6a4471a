/**
 * `etpro-telemetry/core`: the agent's functional core as a library, runtime-neutral (Node, Deno, Bun,
 * Workers, Lambda behind a fetch adapter). Plain functions for callers without Effect, Effect programs for
 * callers with it. Everything here asks src/domain, the code the agent itself runs; nothing is a copy.
 * Imports nothing of Node (test/architecture/imports.test.ts, test/core/NeutralBundle.test.ts).
 */
export {
  InvalidSanitiseOptions,
  makeLineSanitiser,
  MAX_LINE_BYTES,
  type SanitiseOptions,
  type SanitiseResult,
  sanitiseLine,
  sanitiseLineEffect,
  sanitiseLines,
  type SkipReason
} from "./sanitiseLine.js"
export { DEFAULT_MAX_BODY_BYTES, eveHandler, eveHandlerEffect, type EveHandlerOptions, SUMMARY_HEADERS } from "./eveHandler.js"
export { assembleHeartbeat, assembleHeartbeatEffect, type Fact, type HeartbeatFacts, sensorFacts } from "./assembleHeartbeat.js"
export {
  initialLicenseState,
  type LicenseAnswer,
  type LicenseState,
  type LicenseStatus,
  type LicenseView,
  licenseView,
  nextLicenseStatus,
  type WidgetStatus
} from "./licenseStatus.js"
export { failed, found, type HeartbeatBody, notFound, type Probe } from "../domain/Heartbeat.js"
export type { StatsBlock } from "../domain/StatsLog.js"
export { parseTelemetrySids } from "../domain/TelemetrySids.js"
