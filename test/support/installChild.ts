/**
 * A separate process that installs rulesets, for kill tests:
 *   installChild.ts ROOT stop STEP ARCHIVE VERSION   installs once and hangs at STEP (prints "at STEP")
 *   installChild.ts ROOT loop ARCHIVE_A ARCHIVE_B    installs A, B, A, ... forever (prints "installed N")
 */
import { Effect } from "effect"
import { type InstallStep, make, tempLayout } from "../../src/adapters/RulesStore.js"

const [root, mode, ...rest] = process.argv.slice(2)
const layout = tempLayout(root!)

if (mode === "stop") {
  const [stopAt, archive, version] = rest
  const store = make(layout, {
    onStep: async (s: InstallStep) => {
      if (s !== stopAt) return
      process.stdout.write(`at ${s}\n`)
      await new Promise(() => undefined)
    }
  })
  await Effect.runPromise(store.install(archive!, { version: version!, selection: "all", at: Date.now() }))
  process.stdout.write("done\n")
} else {
  const store = make(layout)
  for (let n = 0; ; n++) {
    const archive = rest[n % 2]!
    await Effect.runPromise(store.install(archive, { version: String(n % 2), selection: "all", at: Date.now() }))
    process.stdout.write(`installed ${n}\n`)
  }
}
