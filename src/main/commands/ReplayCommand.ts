/** `replay --log PATH [--speed N | --instant] [--base-url URL --token TOKEN] [--home-net CIDRS] [--sids FILE]` */
import { Command, Options } from "@effect/cli"
import { Effect } from "effect"
import { readFile } from "node:fs/promises"
import { decodeFlags } from "./Common.js"
import { ReplayOptions } from "../programs/ReplayOptions.js"
import { NO_SID, parseTelemetrySids } from "../../domain/TelemetrySids.js"
import { CliFailure, ExitCode, line } from "../Failure.js"
import { NoHostNetworks, replaySensorLayer } from "../layers.js"
import { loadRecordedHomeNet } from "../Privacy.js"

const usage = (message: string) => new CliFailure({ message, exitCode: ExitCode.usage })

const readOrFail = (path: string, what: string) =>
  Effect.tryPromise({
    try: () => readFile(path, "utf8"),
    catch: (e) => usage(`cannot read ${what} ${path} (${(e as NodeJS.ErrnoException).code ?? "error"})`)
  })

export const replayCommand = Command.make(
  "replay",
  {
    log: Options.text("log").pipe(Options.withPseudoName("PATH"), Options.withDescription("eve log directory (eve.json + rotated) or one file")),
    speed: Options.float("speed").pipe(Options.withPseudoName("N"), Options.optional, Options.withDescription("simulated time runs N times faster than real time")),
    instant: Options.boolean("instant").pipe(Options.withDescription("no waiting at all (the default)")),
    baseUrl: Options.text("base-url").pipe(Options.withPseudoName("URL"), Options.optional, Options.withDescription("a running service instead of the embedded one")),
    token: Options.text("token").pipe(Options.withPseudoName("TOKEN"), Options.optional, Options.withDescription("token for --base-url")),
    insecure: Options.boolean("insecure").pipe(Options.withDescription("skip TLS certificate verification")),
    homeNet: Options.text("home-net").pipe(Options.withPseudoName("CIDRS"), Options.optional, Options.withDescription("HOME_NET of the recorded sensor, e.g. 198.51.100.0/24")),
    suricataYaml: Options.text("suricata-yaml").pipe(Options.withPseudoName("FILE"), Options.optional, Options.withDescription("read HOME_NET from this suricata.yaml")),
    sids: Options.text("sids").pipe(Options.withPseudoName("FILE"), Options.optional, Options.withDescription("telemetry SID list (default: every alert)")),
    maxAge: Options.text("max-age").pipe(Options.withPseudoName("DURATION"), Options.withDefault("1d"), Options.withDescription("DURATION or off, on simulated time"))
  },
  (flags) =>
    Effect.gen(function* () {
      const o = yield* decodeFlags(ReplayOptions)(flags)
      // Only the recorded sensor's networks count (see loadRecordedHomeNet).
      const home = yield* loadRecordedHomeNet({ homeNet: o.homeNet, suricataYaml: o.suricataYaml })
      for (const w of home.warnings) process.stderr.write(`${line("replay", `warning: ${w}`)}\n`)
      const listed = o.sids !== undefined ? parseTelemetrySids(yield* readOrFail(o.sids, "SID list")).sids : undefined
      const sids = listed === undefined ? new Set<number>() : listed.size === 0 ? NO_SID : listed
      const { replay } = yield* Effect.promise(() => import("../programs/Replay.js"))
      // The reference side (and SQLite) loads only when the replay starts its own service.
      const embedded = o.baseUrl !== undefined
        ? undefined
        : (yield* Effect.promise(() => import("../../reference/Embedded.js"))).startEmbedded
      yield* replay({
        log: o.log,
        pace: o.pace,
        baseUrl: o.baseUrl,
        embedded,
        token: o.token,
        insecure: o.insecure,
        local: home.local,
        sids,
        maxAgeMs: o.maxAgeMs,
        sensorLayer: replaySensorLayer
      }).pipe(Effect.provide(NoHostNetworks))
    })
).pipe(Command.withDescription("replay recorded eve logs through the agent and the license model on simulated time"))
