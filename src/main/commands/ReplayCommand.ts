/** `replay --log PATH [--speed N | --instant] [--base-url URL --token TOKEN] [--home-net CIDRS] [--sids FILE]` */
import { isBaseUrl } from "../../domain/BaseUrl.js"
import { Command, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import { readFile } from "node:fs/promises"
import { maxAgeFrom } from "./Common.js"
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
  (o) =>
    Effect.gen(function* () {
      if (Option.isSome(o.speed) && o.instant) return yield* usage("--speed and --instant exclude each other")
      if (Option.isSome(o.speed) && !(o.speed.value > 0)) return yield* usage("--speed must be a positive number")
      if (Option.isSome(o.baseUrl) && Option.isNone(o.token)) return yield* usage("--base-url needs --token")
      if (Option.isSome(o.baseUrl) && !isBaseUrl(o.baseUrl.value)) {
        return yield* usage(`--base-url ${JSON.stringify(o.baseUrl.value)} is not an http(s) URL`)
      }
      if (Option.isSome(o.token) && o.token.value.trim() === "") return yield* usage("--token is empty")
      const maxAgeMs = yield* maxAgeFrom(o.maxAge)
      // Only the recorded sensor's networks count (see loadRecordedHomeNet).
      const home = yield* loadRecordedHomeNet({ homeNet: Option.getOrUndefined(o.homeNet), suricataYaml: Option.getOrUndefined(o.suricataYaml) })
      for (const w of home.warnings) process.stderr.write(`${line("replay", `warning: ${w}`)}\n`)
      const listed = Option.isSome(o.sids) ? parseTelemetrySids(yield* readOrFail(o.sids.value, "SID list")).sids : undefined
      const sids = listed === undefined ? new Set<number>() : listed.size === 0 ? NO_SID : listed
      const { replay } = yield* Effect.promise(() => import("../programs/Replay.js"))
      // The reference side (and SQLite) loads only when the replay starts its own service.
      const embedded = Option.isSome(o.baseUrl)
        ? undefined
        : (yield* Effect.promise(() => import("../../reference/Embedded.js"))).startEmbedded
      yield* replay({
        log: o.log,
        pace: Option.isSome(o.speed) ? { _tag: "speed", factor: o.speed.value } : { _tag: "instant" },
        baseUrl: Option.getOrUndefined(o.baseUrl),
        embedded,
        token: Option.getOrUndefined(o.token),
        insecure: o.insecure,
        local: home.local,
        sids,
        maxAgeMs,
        sensorLayer: replaySensorLayer
      }).pipe(Effect.provide(NoHostNetworks))
    })
).pipe(Command.withDescription("replay recorded eve logs through the agent and the license model on simulated time"))
