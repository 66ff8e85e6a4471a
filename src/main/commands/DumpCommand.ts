/** `dump [--log PATH] [--since DURATION|all] [--parsed] [--explain] [--limit N] [--home-net CIDRS] [--sids FILE]` */
import { Command, Options } from "@effect/cli"
import { Clock, Effect, Option } from "effect"
import { Output } from "../../adapters/Output.js"
import { parseDuration } from "../../domain/Duration.js"
import { CliFailure, ExitCode, line } from "../Failure.js"
import { auditLayer } from "../layers.js"
import { loadPrivacy } from "../Privacy.js"
import { dump, summary } from "../programs/Dump.js"
import { dumpSent } from "../programs/DumpSent.js"
import { log, pathsFrom, root, SIDS_DEFAULT, state, suricataYaml } from "./Common.js"

export const dumpCommand = Command.make(
  "dump",
  {
    root,
    suricataYaml,
    log,
    state,
    since: Options.text("since").pipe(Options.withPseudoName("DURATION"), Options.withDefault("1h"), Options.withDescription("DURATION (90s, 30m, 1h, 2d) or all")),
    parsed: Options.boolean("parsed").pipe(Options.withDescription("print exactly the bodies send-events would POST")),
    explain: Options.boolean("explain").pipe(Options.withDescription("show what was dropped and masked")),
    limit: Options.integer("limit").pipe(Options.withPseudoName("N"), Options.optional, Options.withDescription("stop after N records")),
    homeNet: Options.text("home-net").pipe(Options.withPseudoName("CIDRS"), Options.optional, Options.withDescription("replaces HOME_NET, e.g. 10.0.0.0/8,fd00::/8")),
    sids: Options.text("sids").pipe(Options.withPseudoName("FILE"), Options.optional, Options.withDescription("telemetry SID list"), Options.withDescription(SIDS_DEFAULT)),
    internalDomains: Options.text("internal-domains").pipe(Options.withPseudoName("DOMAINS"), Options.optional, Options.withDescription("names under these domains are internal (masked), e.g. acme.example,corp.example")),
    sent: Options.boolean("sent").pipe(Options.withDescription("print the bodies the service acknowledged (the audit file), within --since"))
  },
  (o) =>
    Effect.gen(function* () {
      const out = yield* Output
      const paths = pathsFrom(o, { sids: o.sids })
      const since = o.since === "all" ? "all" : parseDuration(o.since)
      if (since === undefined) {
        return yield* new CliFailure({
          message: `--since ${JSON.stringify(o.since)} is not a duration (90s, 30m, 1h, 2d) or all`,
          exitCode: ExitCode.usage
        })
      }
      if (Option.isSome(o.limit) && o.limit.value < 0) {
        return yield* new CliFailure({ message: `--limit ${o.limit.value} must be 0 or more`, exitCode: ExitCode.usage })
      }
      if (o.sent) {
        const sinceMs = since === "all" ? undefined : (yield* Clock.currentTimeMillis) - since
        yield* dumpSent({ sinceMs, sinceText: since === "all" ? undefined : o.since }).pipe(Effect.provide(auditLayer(paths)))
        return
      }
      const privacy = yield* loadPrivacy({
        suricataYaml: paths.suricataYaml,
        sidsFile: paths.telemetrySids,
        homeNet: Option.getOrUndefined(o.homeNet),
        internalDomains: Option.getOrUndefined(o.internalDomains),
        siteRoot: paths.root,
        // The networks send-events remembered (issue 25, point 3): dump shows what it would send.
        statePath: paths.state
      })
      for (const w of privacy.warnings) yield* out.err(line("dump", `warning: ${w}`))
      const counts = yield* dump({
        log: paths.logDir,
        since,
        parsed: o.parsed || o.explain,
        explain: o.explain,
        limit: Option.getOrUndefined(o.limit),
        privacy
      })
      yield* out.err(summary(counts))
      // An existing folder with no eve.json is as good as a missing log directory (SPEC 11): say so, exit 2.
      if (counts.files === 0) {
        return yield* new CliFailure({ message: `no eve.json (nor rotated eve files) in ${paths.logDir}`, exitCode: ExitCode.usage })
      }
    })
).pipe(Command.withDescription("print eve records, or with --parsed exactly what send-events would send"))
