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
import { StateStore } from "../adapters/StateStore.js"
import type { Paths } from "../domain/Paths.js"
import { sensorLayer } from "./layers.js"
import { refuseIrregularOwnFiles } from "./OwnFiles.js"
import { loadPrivacy, rememberHostNetworks, type Privacy } from "./Privacy.js"

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
  /** Keep the acknowledged bodies in the audit file (`--no-audit`: false). */
  readonly audit: boolean
}

export interface RunSettings {
  /** Say the token's warnings [true]. */
  readonly tokenWarnings?: boolean
  /** `run`: HOME_NET and SIDs as read now, else the daemon's last good ones (programs/DaemonConfig.ts). */
  readonly privacy?: <E>(fresh: Effect.Effect<Privacy, E>) => Effect.Effect<Privacy, E>
}

/**
 * The run on the services in context (StateStore, Credentials, TelemetryApi, EveLog, HostNetworks, Output):
 * `run` provides its own (its state store, a token read afresh per run).
 */
export const sendEventsRun = (o: Omit<SendEventsOptions, "baseUrl" | "insecure" | "timeoutMs">, s: RunSettings = {}) =>
  Effect.gen(function* () {
    const { paths } = o
    const hosts = yield* HostNetworks
    const store = yield* StateStore
    const { sendEvents } = yield* Effect.promise(() => import("./programs/SendEvents.js"))
    return yield* sendEvents({
      log: paths.logDir,
      maxAgeMs: o.maxAgeMs,
      direct: o.direct,
      // This host's networks, with those earlier runs saw (issue 25, point 3), then put on record; `run`
      // falls back on its last good configuration when a fresh read fails.
      privacy: (s.privacy ?? ((fresh) => fresh))(
        loadPrivacy({ suricataYaml: paths.suricataYaml, sidsFile: o.sidsFile, homeNet: o.homeNet, statePath: paths.state, maxAgeMs: o.maxAgeMs }).pipe(
          Effect.provideService(HostNetworks, hosts),
          Effect.provideService(StateStore, store)
        )
      ).pipe(Effect.flatMap((p) => rememberHostNetworks(p, o.maxAgeMs)), Effect.provideService(StateStore, store)      ),
      ...(o.audit ? { audit: yield* AuditLog.AuditLog } : {}),
      ...(s.tokenWarnings === false ? { tokenWarnings: false } : {})
    }).pipe(Effect.scoped)
  }).pipe(Effect.provide(AuditLog.layer(o.paths.state)))

/** `send-events` on this sensor's live layers (its state file, its token, the service of the flags). */
export const runSendEvents = (o: SendEventsOptions) =>
  Effect.zipRight(refuseIrregularOwnFiles(o.paths), sendEventsRun(o)).pipe(
    Effect.asVoid,
    Effect.provide(sensorLayer(o.paths, { baseUrl: o.baseUrl, insecure: o.insecure, timeoutMs: o.timeoutMs }))
  )
