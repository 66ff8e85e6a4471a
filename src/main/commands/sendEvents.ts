/** `send-events [--base-url URL] [--max-age DURATION|off] [--direct] [--insecure]`: one delivery run (SPEC 5). */
import { Command, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import { HostNetworks } from "../../adapters/HostNetworks.js"
import { Output } from "../../adapters/Output.js"
import * as RuleUpdaterConfig from "../../adapters/RuleUpdaterConfig.js"
import * as TelemetryApi from "../../adapters/TelemetryApi.js"
import { appendAudit } from "../../adapters/AuditLog.js"
import { auditPath, maxAgeFrom } from "./Common.js"
import { line } from "../Failure.js"
import { loadPrivacy } from "../Privacy.js"
import { agentLayer, apiFlags, apiOptionsFrom } from "./ApiFlags.js"

export const sendEventsCommand = Command.make(
  "send-events",
  {
    ...apiFlags,
    maxAge: Options.text("max-age").pipe(
      Options.withDefault("1d"),
      Options.withDescription("never send alerts older than this (90s, 30m, 1h, 2d) or off")
    ),
    direct: Options.boolean("direct").pipe(Options.withDescription("send now, without the random 0-60 s spread delay")),
    homeNet: Options.text("home-net").pipe(Options.optional, Options.withDescription("replaces HOME_NET, e.g. 10.0.0.0/8,fd00::/8")),
    sids: Options.text("sids").pipe(Options.optional, Options.withDescription("telemetry SID list")),
    noAudit: Options.boolean("no-audit").pipe(Options.withDescription("keep no local record of the bodies sent (dump --sent)"))
  },
  (o) =>
    Effect.gen(function* () {
      const { paths, api } = yield* apiOptionsFrom(o)
      const maxAgeMs = yield* maxAgeFrom(o.maxAge)
      const sidsFile = Option.getOrElse(o.sids, () => paths.telemetrySids)
      const out = yield* Output
      const hosts = yield* HostNetworks
      const token = yield* RuleUpdaterConfig.make().readToken(paths.ruleUpdaterConfig)
      for (const w of token.warnings) yield* out.err(line("send-events", `warning: ${w}`))
      const { sendEvents } = yield* Effect.promise(() => import("../programs/SendEvents.js"))
      yield* sendEvents({
        log: paths.logDir,
        maxAgeMs,
        direct: o.direct,
        privacy: loadPrivacy({
          suricataYaml: paths.suricataYaml,
          sidsFile,
          homeNet: Option.getOrUndefined(o.homeNet)
        }).pipe(Effect.provideService(HostNetworks, hosts)),
        api: TelemetryApi.make({ baseUrl: api.baseUrl, token: token.token, insecure: api.insecure, timeoutMs: api.timeoutMs }),
        ...(o.noAudit
          ? {}
          : {
              audit: (lines: ReadonlyArray<string>) =>
                appendAudit(auditPath(paths.state), lines).pipe(Effect.catchAll((e) => out.err(line("send-events", `warning: ${e.message}`))))
            }),
        tokenSource: { path: paths.ruleUpdaterConfig, trimmed: token.trimmed }
      }).pipe(Effect.scoped, Effect.provide(agentLayer(paths)))
    })
).pipe(Command.withDescription("deliver new alerts from the eve logs to the service (one run, cron-friendly)"))
