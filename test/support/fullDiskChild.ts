// Child of FullDisk.ts: runs inside its own mount namespace with a tiny tmpfs at argv[3], fills it, tries
// what argv[2] names, and prints one JSON report on stdout.
import { Cause, Effect, Exit } from "effect"
import { closeSync, ftruncateSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync, writeSync } from "node:fs"
import { join } from "node:path"
import { lockFile } from "../../src/adapters/Lock.js"
import { make as rulesStore, tempLayout } from "../../src/adapters/RulesStore.js"
import { make as stateStore } from "../../src/adapters/StateStore.js"
import { ensureDirs, ruleset, visible } from "./rulesArchive.js"

const [mode, dir] = process.argv.slice(2) as [string, string]
const FILLER = join(dir, "filler")
const PAGE = 4096

/** Fills the file system, then frees `pages` pages again. */
const fill = (pages = 0) => {
  const fd = openSync(FILLER, "w")
  try {
    for (;;) writeSync(fd, Buffer.alloc(PAGE, 1))
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOSPC") throw e
  } finally {
    closeSync(fd)
  }
  const size = statSync(FILLER).size
  const again = openSync(FILLER, "r+")
  ftruncateSync(again, Math.max(0, Math.floor(size / PAGE) * PAGE - pages * PAGE))
  closeSync(again)
}

const outcome = <A>(exit: Exit.Exit<A, unknown>) =>
  Exit.isSuccess(exit) ? { ok: exit.value } : { error: String((Cause.squash(exit.cause) as Error).message) }

const names = () => readdirSync(dir).filter((n) => n !== "filler").sort()

const program = async (): Promise<unknown> => {
  if (mode === "lock") {
    fill()
    const full = outcome(await Effect.runPromiseExit(Effect.scoped(lockFile(join(dir, "send-events.lock")))))
    const left = names()
    unlinkSync(FILLER)
    const again = outcome(await Effect.runPromiseExit(Effect.scoped(lockFile(join(dir, "send-events.lock")))))
    return { full, left, again }
  }
  if (mode === "state") {
    const path = join(dir, "state.json")
    const store = await Effect.runPromise(stateStore(path))
    const bump = store.modify((s) => ({ ...s, counters: { ...s.counters, read: s.counters.read + 1 } }))
    await Effect.runPromise(bump)
    const before = readFileSync(path, "utf8")
    // Room for the state lock, none for the new state file.
    fill(1)
    const write = outcome(await Effect.runPromiseExit(bump))
    const afterWrite = { same: readFileSync(path, "utf8") === before, names: names() }
    unlinkSync(FILLER)
    // No room at all: the lock itself cannot be taken.
    fill(0)
    const lock = outcome(await Effect.runPromiseExit(bump))
    const afterLock = { same: readFileSync(path, "utf8") === before, names: names() }
    unlinkSync(FILLER)
    const again = outcome(await Effect.runPromiseExit(Effect.map(bump, (l) => l.state.counters.read)))
    return { write, afterWrite, lock, afterLock, again }
  }
  if (mode === "rules") {
    // The archives live outside the full file system; the sensor tree inside it.
    const layout = tempLayout(dir)
    await ensureDirs(layout)
    const store = rulesStore(layout)
    const archive = (name: string, sids: Record<string, Array<number>>) => {
      const p = join("/tmp", `${name}-${process.pid}.tgz`)
      writeFileSync(p, ruleset(sids, Object.values(sids).flat()))
      return p
    }
    const a = archive("a", { "emerging-scan": [2001, 2002] })
    const b = archive("b", { "emerging-scan": [3001], "emerging-dos": Array.from({ length: 2000 }, (_, i) => 4000 + i) })
    const install = (p: string, version: string) =>
      Effect.runPromiseExit(store.install(p, { version, selection: "all", at: Date.now() }))
    await install(a, "1")
    const before = await visible(layout)
    fill(0)
    const full = outcome(await install(b, "2"))
    const intact = JSON.stringify(await visible(layout)) === JSON.stringify(before)
    unlinkSync(FILLER)
    const again = outcome(await Effect.runPromiseExit(Effect.map(store.install(b, { version: "2", selection: "all", at: Date.now() }), (r) => r.manifest.version)))
    return { full, intact, again, store: layout.agentDir }
  }
  throw new Error(`unknown mode ${mode}`)
}

program().then(
  (r) => process.stdout.write(JSON.stringify(r) + "\n"),
  (e) => {
    process.stderr.write(String(e) + "\n")
    process.exit(1)
  }
)
