/**
 * Entry point: runs the CLI, maps any failure to one `emergingthreats:` line and its exit code. Every
 * command, send-events included, starts the same way: @effect/cli parses the flags (./cli.ts).
 */
import { setFlagsFromString } from "node:v8"

const command = process.argv[2] ?? ""

// V8 lets the old generation grow to ~3x the live heap between full collections: `dump` of a 700 MB log peaked
// at 198 MB RSS with a 25-30 MB live heap, a one-shot send-events of a 100k-alert backlog at 190-228 MB with
// ~30 MB live. Growing it by 30 % instead took them to ~122 and ~105 MB, for some more CPU on the GC
// (BENCHMARKS.md). Unlike the semi-space size (scripts/release/launcher.sh), this flag takes effect after
// start-up.
setFlagsFromString("--heap-growing-percent=30")
// llhttp's WebAssembly (undici): baseline code only, instead of TurboFan on background threads (~35 MiB less
// peak RSS for a delivery run; BENCHMARKS.md "Issue 14"). Set before anything loads undici: the modules below
// are imported after this line. dump never loads undici.
if (command !== "dump") setFlagsFromString("--liftoff-only")

// Deep imports: a dynamic import of the `effect` barrel would keep all of Effect in the bundle.
const [{ ValidationError }, Effect, Layer, { cli, root }, { ExitCode, reported, line }, { AgentLive, CliLive }, args, con] =
  await Promise.all([
    import("@effect/cli"),
    import("effect/Effect"),
    import("effect/Layer"),
    import("./cli.js"),
    import("./Failure.js"),
    import("./layers.js"),
    import("./ArgumentError.js"),
    import("./CliConsole.js")
  ])

const argv = process.argv.slice(2)
// Every line names the full command (`rules update`), or the program when no command was recognised.
const path = args.commandPath(root as never, argv)
const words = path.words
const where = words === "" ? "etpro-telemetry" : words
const colour = con.colourAllowed(process.stdout.isTTY === true, process.env)

const program = con.cliConsole(words, colour, con.flagDefaults(path.command)).pipe(
  Effect.flatMap((console) => Effect.withConsole(Effect.suspend(() => cli(process.argv)), console)),
  Effect.catchIf(ValidationError.isValidationError, (e) =>
    Effect.sync(() => {
      if (ValidationError.isHelpRequested(e)) {
        process.exitCode = ExitCode.ok
        return
      }
      process.stderr.write(`${line(where, args.describeArgumentError(e, root as never, argv))}\n`)
      process.exitCode = ExitCode.usage
    })
  ),
  reported(where),
  Effect.provide(Layer.merge(AgentLive, CliLive))
)

void Effect.runPromise(program)
