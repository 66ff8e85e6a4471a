/** The eve log's files as of one moment, for a delivery run (./SendEvents.ts). */
import { Duration, Effect } from "effect"
import type { EveLog } from "../../adapters/EveLog.js"
import type { ObservedFile } from "../../domain/Checkpoint.js"
import { line } from "../Failure.js"

/**
 * The log's files and what is in them, as of one moment: listed, observed, listed again, and retried while
 * logrotate is moving files (a file seen half-way through a rotation would otherwise look deleted, and its
 * checkpoint be dropped). `stable: false` after a few tries: the caller then keeps checkpoints it cannot match.
 */
export const observeLog = (cmd: string, eve: EveLog["Type"], log: string, report: (line: string) => Effect.Effect<void>) =>
  Effect.gen(function* () {
    let observed: Array<ObservedFile> = []
    for (let attempt = 0; attempt < 5; attempt++) {
      if (attempt > 0) yield* Effect.sleep(Duration.millis(20 * attempt))
      const { files: listed, skipped } = yield* eve.list(log)
      // A FIFO, directory or symlink loop under an eve name: said once, and the other files are read.
      if (attempt === 0) for (const f of skipped) yield* report(line(cmd, `skipped ${f.path}: ${f.why}`))
      const seen = yield* Effect.forEach(listed, (f) => eve.observe(f.path))
      observed = seen.filter((o): o is ObservedFile => o !== undefined)
      const again = yield* eve.files(log)
      const same = (a: { path: string; dev: number; ino: number }, b: { path: string; dev: number; ino: number }) =>
        a.path === b.path && a.dev === b.dev && a.ino === b.ino
      const stable = observed.length === listed.length && again.length === observed.length &&
        again.every((f) => observed.some((o) => same(f, o)))
      if (stable) return { files: observed, stable: true }
    }
    return { files: observed, stable: false }
  })

