// Child process for StateStore tests: increments counters.read N times through modify(), or holds the run lock.
import { Effect } from "effect"
import { make } from "../../src/adapters/StateStore.js"

const [mode, path, n] = process.argv.slice(2)
const program = Effect.gen(function* () {
  const store = yield* make(path!)
  if (mode === "modify") {
    for (let i = 0; i < Number(n); i++) {
      yield* store.modify((s) => ({ ...s, counters: { ...s.counters, read: s.counters.read + 1 } }))
    }
    return
  }
  // "hold": take the run lock, say so, and wait to be killed.
  const got = yield* store.runLock("send-events")
  process.stdout.write(got ? "held\n" : "busy\n")
  yield* Effect.never
})
Effect.runPromise(Effect.scoped(program)).catch((e) => {
  process.stderr.write(String(e) + "\n")
  process.exit(1)
})
