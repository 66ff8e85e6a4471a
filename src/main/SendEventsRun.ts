/**
 * One `send-events` run from resolved options: the privacy set-up, the audit file, the program. The one run
 * function of the @effect/cli command (./commands/sendEvents.ts), the start-up entry that skips @effect/cli
 * (./bin.ts, flags from ./SendEventsFastPath.ts) and `run`'s events task (./commands/run.ts): cron starts
 * this command every minute, and loading @effect/cli costs more CPU than a usual run's delivery
 * (BENCHMARKS.md "Issue 14"). Imports nothing of @effect/cli.
 */
import { Effect } from "effect"
import { HostNetworks } from "../adapters/HostNetworks.js"
import * as AuditLog from "../adapters/AuditLog.js"
import type { Paths } from "../domain/Paths.js"
import { sensorLayer } from "./layers.js"
import { loadPrivacy } from "./Privacy.js"

export interface SendEventsOptions {
  readonly paths: Paths
  readonly baseUrl: string
  readonly insecure: boolean
  readonly timeoutMs: number
  /** Undefined: `--max-age off`. */
  readonly maxAgeMs: number | undefined
  readonly direct: boolean
  readonly sidsFile: string
  readonly homeNet: string | undefined
  /** `--internal-domains`: names under these are internal (issue 25). */
  readonly internalDomains?: string | undefined
  /** Keep the acknowledged bodies in the audit file (`--no-audit`: false). */
  readonly audit: boolean
}

export interface RunSettings {
  /** Say the token's warnings [true]. */
  readonly tokenWarnings?: boolean
}

/**
 * The run on the services in context (StateStore, Credentials, TelemetryApi, EveLog, HostNetworks, Output):
 * `run` provides its own (its state store, a token read afresh per run).
 */
export const sendEventsRun = (o: Omit<SendEventsOptions, "baseUrl" | "insecure" | "timeoutMs">, s: RunSettings = {}) =>
  Effect.gen(function* () {
    const { paths } = o
    const hosts = yield* HostNetworks
    const { sendEvents } = yield* Effect.promise(() => import("./programs/SendEvents.js"))
    return yield* sendEvents({
      log: paths.logDir,
      maxAgeMs: o.maxAgeMs,
      direct: o.direct,
      privacy: loadPrivacy({
        suricataYaml: paths.suricataYaml, sidsFile: o.sidsFile, homeNet: o.homeNet, internalDomains: o.internalDomains, siteRoot: paths.root
      }).pipe(
        Effect.provideService(HostNetworks, hosts)
      ),
      ...(o.audit ? { audit: yield* AuditLog.AuditLog } : {}),
      ...(s.tokenWarnings === false ? { tokenWarnings: false } : {})
    }).pipe(Effect.scoped)
  }).pipe(Effect.provide(AuditLog.layer(o.paths.state)))

/** `send-events` on this sensor's live layers (its state file, its token, the service of the flags). */
export const runSendEvents = (o: SendEventsOptions) =>
  sendEventsRun(o).pipe(
    Effect.asVoid,
    Effect.provide(sensorLayer(o.paths, { baseUrl: o.baseUrl, insecure: o.insecure, timeoutMs: o.timeoutMs }))
  )
