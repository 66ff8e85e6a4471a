/** Entry point: runs the CLI, maps any failure to one `emergingthreats:` line and its exit code. */
import { ValidationError } from "@effect/cli"
import { Effect, Layer } from "effect"
import { cli } from "./cli.js"
import { describeFailure, ExitCode, TAG } from "./Failure.js"
import { AgentLive, CliLive } from "./layers.js"

const command = process.argv[2] ?? ""

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
