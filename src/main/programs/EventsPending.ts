/**
 * Whether a delivery run would find anything to read: the state file's checkpoints against the eve files'
 * sizes and fingerprints, read only. A delivery run asks this first (cron's `send-events`, `run`'s every
 * minute), so a run with nothing new takes no lock and writes nothing (the program would still take its run
 * lock and tidy the file list). Anything unusual (no state yet, a file that vanished while looking, an unreadable log)
 * answers true: the run itself then sees to it and says what it found.
 */
import { Effect } from "effect"
import { EveLog } from "../../adapters/EveLog.js"
import { StateStore } from "../../adapters/StateStore.js"
import { hasNewBytes, type ObservedFile, planRead } from "../../domain/Checkpoint.js"

export const eventsPending = (log: string): Effect.Effect<boolean, never, EveLog | StateStore> =>
  Effect.gen(function* () {
    const loaded = yield* Effect.flatMap(StateStore, (s) => s.load)
    if (loaded.status !== "ok") return true
    const eve = yield* EveLog
    const { files } = yield* eve.list(log)
    const seen = yield* Effect.forEach(files, (f) => eve.observe(f.path))
    if (seen.some((o) => o === undefined)) return true
    const plans = planRead(seen as ReadonlyArray<ObservedFile>, loaded.state.files)
    return hasNewBytes(plans)
  }).pipe(Effect.catchAll(() => Effect.succeed(true)))
