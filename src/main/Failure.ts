/**
 * How failures reach an operator: one line on stderr tagged `emergingthreats`, naming the file or URL
 * involved and never the token, and a documented exit code (SPEC section 11).
 */
import { Data } from "effect"
import * as Effect from "effect/Effect"
import { printable } from "../domain/Printable.js"

export const ExitCode = {
  /** Done; also: nothing to do, or another run holds the lock. */
  ok: 0,
  /** Delivery or service failure. */
  failure: 1,
  /** Usage or configuration error: missing or malformed token, missing log directory, bad flag. */
  usage: 2,
  /** The service refused the token. */
  tokenRefused: 3
} as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

/** A failure already phrased for the operator. */
export class CliFailure extends Data.TaggedError("CliFailure")<{
  readonly message: string
  readonly exitCode: ExitCode
}> {}

export const TAG = "emergingthreats"

/** The operator's line; its message may quote the service or a file, so it is made printable here. */
export const line = (command: string, message: string): string => `${TAG}: ${command}: ${printable(message)}`

/** Tagged errors that carry their own operator message, and the exit code each `_tag` maps to. */
const CODES: Record<string, ExitCode> = {
  EveLogError: ExitCode.usage,
  UsageError: ExitCode.usage,
  ConfigError: ExitCode.usage,
  TokenError: ExitCode.usage,
  TokenRefused: ExitCode.tokenRefused,
  // send-events' first answers were all 404/405: no telemetry API at --base-url.
  WrongBaseUrl: ExitCode.usage,
  // A state file written by a newer agent: left untouched, the operator decides (issue 15, row 19).
  StateTooNew: ExitCode.usage,
  RulesArchiveError: ExitCode.failure,
  RulesStoreError: ExitCode.failure,
  // The reference service: a rule directory given by flag that holds no rules is a configuration error; a
  // database that cannot be opened or a port already taken is a service failure.
  RulesetError: ExitCode.usage,
  StoreError: ExitCode.failure,
  ListenError: ExitCode.failure
}

/** Maps any failure of a command to its message and exit code. */
export const describeFailure = (e: unknown): { message: string; exitCode: ExitCode } => {
  if (e instanceof CliFailure) return { message: e.message, exitCode: e.exitCode }
  const tag = typeof e === "object" && e !== null && "_tag" in e ? String((e as { _tag: unknown })._tag) : undefined
  const message =
    typeof e === "object" && e !== null && "message" in e && typeof (e as { message: unknown }).message === "string"
      ? (e as { message: string }).message
      : String(e)
  // A multi-line message would break `grep emergingthreats` in the system log.
  const oneLine = message.split("\n")[0]!.trim() || (tag ?? "unknown error")
  return { message: oneLine, exitCode: (tag !== undefined ? CODES[tag] : undefined) ?? ExitCode.failure }
}

/**
 * Ends a command's run: any failure becomes its one line on stderr and its exit code, a defect an
 * "internal error" line with exit 1. The CLI (./bin.ts) ends here.
 */
export const reported = (where: string) => <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A | void, never, R> =>
  self.pipe(
    Effect.catchAll((e) =>
      Effect.sync(() => {
        const { message, exitCode } = describeFailure(e)
        process.stderr.write(`${line(where, message)}\n`)
        process.exitCode = exitCode
      })
    ),
    Effect.catchAllDefect((d) =>
      Effect.sync(() => {
        process.stderr.write(`${line(where, `internal error: ${String(d).split("\n")[0]}`)}\n`)
        process.exitCode = ExitCode.failure
      })
    )
  )
