/**
 * The daemon's idle-minute check (src/main/programs/EventsPending.ts): the real eve reader on a temp dir, the
 * state in memory. Nothing past the checkpoint: false (no run, no lock, no write); anything new or unusual: true.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { appendFile, mkdtemp, rename, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as EveLog from "../../../src/adapters/EveLog.js"
import { layerMemory } from "../../../src/adapters/StateStoreMemory.js"
import { emptyState, type FileCheckpoint } from "../../../src/domain/AgentState.js"
import { eventsPending } from "../../../src/main/programs/EventsPending.js"
import { alertLine } from "../../support/SendHarness.js"

/** A log directory with eve.json, and the checkpoint of that file at `offset` (its end by default). */
const setup = (offset?: number) =>
  Effect.gen(function* () {
    const dir = yield* Effect.promise(() => mkdtemp(join(tmpdir(), "pending-")))
    const eve = join(dir, "eve.json")
    yield* Effect.promise(() => writeFile(eve, alertLine(1) + alertLine(2)))
    const seen = yield* Effect.flatMap(EveLog.EveLog, (e) => e.observe(eve))
    const checkpoint: FileCheckpoint = { fingerprint: seen!.fingerprint!, path: eve, dev: seen!.dev, ino: seen!.ino, offset: offset ?? seen!.size }
    return { dir, eve, state: { ...emptyState, files: [checkpoint] } }
  }).pipe(Effect.provide(EveLog.layer))

const pending = (dir: string, state: typeof emptyState | undefined) =>
  eventsPending(dir).pipe(Effect.provide(EveLog.layer), Effect.provide(layerMemory("(memory)", state)))

describe("eventsPending", () => {
  it.effect("false when every file is checkpointed at its end", () =>
    Effect.gen(function* () {
      const s = yield* setup()
      expect(yield* pending(s.dir, s.state)).toBe(false)
    })
  )

  it.effect("true for new bytes, a checkpoint behind, a new file, no state yet or no log at all", () =>
    Effect.gen(function* () {
      const appended = yield* setup()
      yield* Effect.promise(() => appendFile(appended.eve, alertLine(3)))
      expect(yield* pending(appended.dir, appended.state)).toBe(true)

      const behind = yield* setup(10)
      expect(yield* pending(behind.dir, behind.state)).toBe(true)

      const added = yield* setup()
      yield* Effect.promise(() => writeFile(join(added.dir, "eve.json.1"), alertLine(9)))
      expect(yield* pending(added.dir, added.state)).toBe(true)

      const first = yield* setup()
      expect(yield* pending(first.dir, undefined)).toBe(true)

      expect(yield* pending(join(first.dir, "missing"), first.state)).toBe(true)
    })
  )

  it.effect("a rotated file (renamed, nothing new) is nothing new: it is found by its fingerprint", () =>
    Effect.gen(function* () {
      const s = yield* setup()
      yield* Effect.promise(() => rename(s.eve, `${s.eve}.1`))
      expect(yield* pending(s.dir, s.state)).toBe(false)
    })
  )
})
