/**
 * The agent's own files must be regular files (issue 24 row 4): before a command touches any of them, a
 * FIFO, socket, device, directory or symlink loop at the state, audit, lock, token or config path stops it
 * at once with one line naming the path (exit 1), before any lock is taken. The adapters refuse the same
 * files on their own (src/adapters/AtomicFile.ts `openOwnFd`, `readOwnText`), so nothing ever blocks on one; this check
 * makes the refusal one clear line instead of a failure deep in a run.
 */
import { Effect } from "effect"
import { firstIrregular } from "../adapters/AtomicFile.js"
import { ownFilePaths, type Paths } from "../domain/Paths.js"
import { CliFailure, ExitCode } from "./Failure.js"

/** Fails with the one line (exit 1) when one of the sensor's own files is not a regular file. */
export const refuseIrregularOwnFiles = (paths: Pick<Paths, "state" | "tokenFile" | "ruleUpdaterConfig">): Effect.Effect<void, CliFailure> =>
  Effect.flatMap(Effect.promise(() => firstIrregular(ownFilePaths(paths))), (bad) =>
    bad === undefined ? Effect.void : Effect.fail(new CliFailure({ message: bad.message, exitCode: ExitCode.failure }))
  )
