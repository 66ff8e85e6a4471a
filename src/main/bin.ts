/**
 * Entry point: runs the CLI, maps any failure to one `emergingthreats:` line and its exit code.
 * A `send-events` run with nothing new is answered first, before the CLI and Effect load
 * (./SendEventsFastPath.ts): cron starts it every minute.
 */
import { setFlagsFromString } from "node:v8"
import { nothingNew } from "./SendEventsFastPath.js"

// V8 lets the old generation grow to ~3x the live heap between full collections: `dump` of a 700 MB log peaked
// at 198 MB RSS with a 25-30 MB live heap. Growing it by 30 % instead keeps the peak near 122 MB (target 128)
// for ~15 % more CPU on the GC thread, no longer wall time (BENCHMARKS.md). This flag still takes effect after
// start-up, unlike the semi-space and old-space sizes, which only a launcher could set.
setFlagsFromString("--heap-growing-percent=30")

const command = process.argv[2] ?? ""

const fast = command === "send-events" && (await nothingNew(process.argv.slice(3)).catch(() => false))

if (!fast) {
  const [{ ValidationError }, { Effect, Layer }, { cli }, { describeFailure, ExitCode, TAG }, { AgentLive, CliLive }] =
    await Promise.all([import("@effect/cli"), import("effect"), import("./cli.js"), import("./Failure.js"), import("./layers.js")])

  const program = Effect.suspend(() => cli(process.argv)).pipe(
    Effect.catchAll((e) =>
      Effect.sync(() => {
        // @effect/cli has already printed a usage error with the help text.
        if (ValidationError.isValidationError(e)) {
          process.exitCode = ValidationError.isHelpRequested(e) ? ExitCode.ok : ExitCode.usage
          return
        }
        const { message, exitCode } = describeFailure(e)
        process.stderr.write(`${TAG}: ${command}: ${message}\n`)
        process.exitCode = exitCode
      })
    ),
    Effect.catchAllDefect((d) =>
      Effect.sync(() => {
        process.stderr.write(`${TAG}: ${command}: internal error: ${String(d).split("\n")[0]}\n`)
        process.exitCode = ExitCode.failure
      })
    ),
    Effect.provide(Layer.merge(AgentLive, CliLive))
  )

  void Effect.runPromise(program)
}
