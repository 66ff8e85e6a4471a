/** Flags every command shares (SPEC section 10), and the one decode of a command's flags into its options Schema. */
import { Options } from "@effect/cli"
import { Effect, Schema } from "effect"
import { createServer } from "node:net"
import { firstMessage } from "../../domain/OptionSchemas.js"
import { DEFAULT_DELIVERY, DELIVERY_POLICIES } from "../../domain/Delivery.js"
import { CliFailure, ExitCode } from "../Failure.js"
import { DEFAULTS } from "../../domain/Paths.js"

/** A path flag whose default is a sensor path under `--root`; its help names that default. */
const pathFlag = (name: string, pseudo: string, description: string, dflt: string) =>
  Options.text(name).pipe(Options.withPseudoName(pseudo), Options.withDescription(description), Options.withDescription(`Default: ${dflt} (under --root)`), Options.optional)

// Each command declares only the flags it reads (its help lists exactly those).
export const root = Options.text("root").pipe(
  Options.withPseudoName("DIR"),
  Options.withDescription("prefix for every default path (tests, demos, replays)"),
  Options.withDescription("Default: /"),
  Options.optional
)
export const config = pathFlag("config", "FILE", "rule-updater.config holding the token", DEFAULTS.ruleUpdaterConfig)
export const suricataYaml = pathFlag("suricata-yaml", "FILE", "suricata.yaml (HOME_NET, IPS mode)", DEFAULTS.suricataYaml)
export const log = pathFlag("log", "PATH", "eve log directory (eve.json + rotated) or one file", DEFAULTS.logDir)
export const state = pathFlag("state", "FILE", "agent state file (checkpoint, last results; the audit file sits beside it)", DEFAULTS.state)

/** `--delivery skip|at-least-once` (send-events, run): what an answer other than 201 does to an event. */
export const delivery = Options.choice("delivery", DELIVERY_POLICIES).pipe(
  Options.withDefault(DEFAULT_DELIVERY),
  Options.withDescription(
    "skip (default, as the vendor asks): an event the service answers with an error is not sent again; " +
      "at-least-once: retried until answered (for one's own collector)"
  )
)

/** Help of `--sids` (the list `rules update` installs). */
export const SIDS_DEFAULT = `Default: ${DEFAULTS.rulesDir}/telemetry_sids.txt (under --root)`

/** Every path flag: the commands that read the eve log and the sensor's configuration. */
export const common = { root, config, suricataYaml, log, state }

/**
 * A command's flags decoded once through its options Schema (issue 22); a value it refuses is a usage error
 * (exit 2) whose one line is the Schema's message (`--timeout "x" is not a duration (5s, 90s, 2m)`). The
 * flags' record must be the Schema's encoded side, so a flag the Schema does not expect fails to compile.
 */
export const decodeFlags =
  <A, I>(schema: Schema.Schema<A, I>) =>
  (flags: I): Effect.Effect<A, CliFailure> =>
    Schema.decodeUnknown(schema)(flags).pipe(
      Effect.mapError((e) => new CliFailure({ message: firstMessage(e), exitCode: ExitCode.usage }))
    )

/** Binds and releases HOST:PORT once; the reason it cannot be bound, or undefined. */
export const portTaken = (host: string, port: number): Effect.Effect<string | undefined> =>
  Effect.async((resume) => {
    const probe = createServer()
    probe.once("error", (e: NodeJS.ErrnoException) =>
      resume(Effect.succeed(e.code === "EADDRINUSE" ? "address already in use" : e.code ?? e.message))
    )
    probe.listen(port, host, () => probe.close(() => resume(Effect.succeed(undefined))))
  })
