/**
 * One `send-events` run from resolved options: the token, the privacy set-up, the program. Shared by the
 * @effect/cli command (./commands/sendEvents.ts) and the start-up entry that skips @effect/cli (./bin.ts,
 * flags from ./SendEventsFastPath.ts): cron starts this command every minute, and loading @effect/cli costs
 * more CPU than a usual run's delivery (BENCHMARKS.md "Issue 14"). Imports nothing of @effect/cli.
 */
import { Effect } from "effect"
import { HostNetworks } from "../adapters/HostNetworks.js"
import { Output } from "../adapters/Output.js"
import * as AuditLog from "../adapters/AuditLog.js"
import * as Credentials from "../adapters/Credentials.js"
import * as StateStore from "../adapters/StateStore.js"
import * as TelemetryApi from "../adapters/TelemetryApi.js"
import type { Paths } from "../domain/Paths.js"
import { line } from "./Failure.js"
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
  /** Keep the acknowledged bodies in the audit file (`--no-audit`: false). */
  readonly audit: boolean
}

export const runSendEvents = (o: SendEventsOptions) =>
  Effect.gen(function* () {
    const { paths } = o
    const out = yield* Output
    const hosts = yield* HostNetworks
    const token = yield* Credentials.readToken(paths)
    for (const w of token.warnings) yield* out.err(line("send-events", `warning: ${w}`))
    const { sendEvents } = yield* Effect.promise(() => import("./programs/SendEvents.js"))
    yield* sendEvents({
      log: paths.logDir,
      maxAgeMs: o.maxAgeMs,
      direct: o.direct,
      privacy: loadPrivacy({ suricataYaml: paths.suricataYaml, sidsFile: o.sidsFile, homeNet: o.homeNet }).pipe(
        Effect.provideService(HostNetworks, hosts)
      ),
      api: TelemetryApi.make({ baseUrl: o.baseUrl, token: token.token, insecure: o.insecure, timeoutMs: o.timeoutMs }),
      ...(o.audit ? { audit: yield* AuditLog.AuditLog } : {}),
      tokenSource: { path: token.source, trimmed: token.trimmed }
    }).pipe(Effect.scoped, Effect.provide(StateStore.layer(paths.state)), Effect.provide(Credentials.layer(paths)))
  }).pipe(Effect.provide(AuditLog.layer(o.paths.state)))
