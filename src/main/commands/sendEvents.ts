/** `send-events [--base-url URL] [--max-age DURATION|off] [--direct] [--insecure]`: one delivery run (SPEC 5). */
import { Command, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import { maxAgeFrom, SIDS_DEFAULT } from "./Common.js"
import { DEFAULT_MAX_AGE } from "../FlagDefaults.js"
import { runSendEvents } from "../SendEventsRun.js"
import { apiFlags, apiOptionsFrom } from "./ApiFlags.js"

export const sendEventsCommand = Command.make(
  "send-events",
  {
    ...apiFlags,
    maxAge: Options.text("max-age").pipe(
      Options.withPseudoName("DURATION"),
      Options.withDefault(DEFAULT_MAX_AGE),
      Options.withDescription("never send alerts older than this (90s, 30m, 1h, 2d) or off")
    ),
    direct: Options.boolean("direct").pipe(Options.withDescription("send now, without the random 0-60 s spread delay")),
    homeNet: Options.text("home-net").pipe(Options.withPseudoName("CIDRS"), Options.optional, Options.withDescription("replaces HOME_NET, e.g. 10.0.0.0/8,fd00::/8")),
    sids: Options.text("sids").pipe(Options.withPseudoName("FILE"), Options.optional, Options.withDescription("telemetry SID list"), Options.withDescription(SIDS_DEFAULT)),
    internalDomains: Options.text("internal-domains").pipe(Options.withPseudoName("DOMAINS"), Options.optional, Options.withDescription("names under these domains are internal (masked), e.g. acme.example,corp.example")),
    noAudit: Options.boolean("no-audit").pipe(Options.withDescription("keep no local record of the bodies sent (dump --sent)"))
  },
  (o) =>
    Effect.gen(function* () {
      const { paths, api } = yield* apiOptionsFrom(o)
      const maxAgeMs = yield* maxAgeFrom(o.maxAge)
      yield* runSendEvents({
        paths,
        baseUrl: api.baseUrl,
        insecure: api.insecure,
        timeoutMs: api.timeoutMs,
        maxAgeMs,
        direct: o.direct,
        sidsFile: Option.getOrElse(o.sids, () => paths.telemetrySids),
        homeNet: Option.getOrUndefined(o.homeNet),
        internalDomains: Option.getOrUndefined(o.internalDomains),
        audit: !o.noAudit
      })
    })
).pipe(Command.withDescription("deliver new alerts from the eve logs to the service (one run, cron-friendly)"))
