/** Flags every command shares (SPEC section 10) and their resolution into paths. */
import { Options } from "@effect/cli"
import { Effect, Option } from "effect"
import { createServer } from "node:net"
import { parseDuration } from "../../domain/Duration.js"
import { CliFailure, ExitCode } from "../Failure.js"
import { type Paths, resolvePaths } from "../../domain/Paths.js"

const optionalText = (name: string, description: string) =>
  Options.text(name).pipe(Options.withDescription(description), Options.optional)

export const common = {
  root: optionalText("root", "prefix for every default path (tests, demos, replays)"),
  config: optionalText("config", "rule-updater.config holding the token"),
  suricataYaml: optionalText("suricata-yaml", "suricata.yaml (HOME_NET, IPS mode)"),
  log: optionalText("log", "eve log directory (eve.json + rotated) or one file"),
  state: optionalText("state", "agent state file (checkpoint, last results)")
}

export interface CommonValues {
  readonly root: Option.Option<string>
  readonly config: Option.Option<string>
  readonly suricataYaml: Option.Option<string>
  readonly log: Option.Option<string>
  readonly state: Option.Option<string>
}

export const pathsFrom = (c: CommonValues, extra: { sids?: Option.Option<string> } = {}): Paths =>
  resolvePaths({
    root: Option.getOrUndefined(c.root),
    config: Option.getOrUndefined(c.config),
    suricataYaml: Option.getOrUndefined(c.suricataYaml),
    log: Option.getOrUndefined(c.log),
    state: Option.getOrUndefined(c.state),
    sids: extra.sids === undefined ? undefined : Option.getOrUndefined(extra.sids)
  })

/** `--max-age DURATION|off` (send-events, run, replay): milliseconds, or undefined for off. */
export const maxAgeFrom = (text: string): Effect.Effect<number | undefined, CliFailure> => {
  if (text === "off") return Effect.succeed(undefined)
  const ms = parseDuration(text)
  return ms !== undefined && ms > 0
    ? Effect.succeed(ms)
    : Effect.fail(
        new CliFailure({ message: `--max-age ${JSON.stringify(text)} is not a duration (90s, 30m, 1h, 2d) or off`, exitCode: ExitCode.usage })
      )
}

/** Binds and releases HOST:PORT once; the reason it cannot be bound, or undefined. */
export const portTaken = (host: string, port: number): Effect.Effect<string | undefined> =>
  Effect.async((resume) => {
    const probe = createServer()
    probe.once("error", (e: NodeJS.ErrnoException) =>
      resume(Effect.succeed(e.code === "EADDRINUSE" ? "address already in use" : e.code ?? e.message))
    )
    probe.listen(port, host, () => probe.close(() => resume(Effect.succeed(undefined))))
  })
