/** `dump [--log PATH] [--since DURATION|all] [--parsed] [--explain] [--limit N] [--home-net CIDRS] [--sids FILE]` */
import { Command, Options } from "@effect/cli"
import { Clock, Effect } from "effect"
import { Output } from "../../adapters/Output.js"
import { resolvePaths } from "../../domain/Paths.js"
import { CliFailure, ExitCode, line } from "../Failure.js"
import { auditLayer } from "../layers.js"
import { loadPrivacy } from "../Privacy.js"
import { dump, summary } from "../programs/Dump.js"
import { dumpSent } from "../programs/DumpSent.js"
import { DumpOptions } from "../programs/DumpOptions.js"
import { decodeFlags, log, root, SIDS_DEFAULT, state, suricataYaml } from "./Common.js"

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
  (flags) =>
    Effect.gen(function* () {
      const out = yield* Output
      const o = yield* decodeFlags(DumpOptions)(flags)
      const paths = resolvePaths(o)
      const since = o.since === "all" ? "all" : o.since.ms
      if (o.sent) {
        const sinceMs = o.since === "all" ? undefined : (yield* Clock.currentTimeMillis) - o.since.ms
        yield* dumpSent({ sinceMs, sinceText: o.since === "all" ? undefined : o.since.text }).pipe(Effect.provide(auditLayer(paths)))
        return
      }
      const privacy = yield* loadPrivacy({
        suricataYaml: paths.suricataYaml,
        sidsFile: paths.telemetrySids,
        homeNet: o.homeNet,
        internalDomains: o.internalDomains,
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
        limit: o.limit,
        privacy
      })
      yield* out.err(summary(counts))
      // An existing folder with no eve.json is as good as a missing log directory (SPEC 11): say so, exit 2.
      if (counts.files === 0) {
        return yield* new CliFailure({ message: `no eve.json (nor rotated eve files) in ${paths.logDir}`, exitCode: ExitCode.usage })
      }
    })
).pipe(Command.withDescription("print eve records, or with --parsed exactly what send-events would send"))
