/** The StateStore in memory: the file store's contract without files. */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { StateStore } from "../../src/adapters/StateStore.js"
import { layerMemory } from "../../src/adapters/StateStoreMemory.js"

describe("StateStore in memory", () => {
  it.effect("a first load is missing; modify keeps what it wrote", () =>
    Effect.gen(function* () {
      const store = yield* StateStore
      expect((yield* store.load).status).toBe("missing")
      yield* store.modify((s) => ({ ...s, lastSend: { at: 1, ok: true, message: "m" } }))
      const loaded = yield* store.load
      expect(loaded.status).toBe("ok")
      expect(loaded.state.lastSend).toEqual({ at: 1, ok: true, message: "m" })
    }).pipe(Effect.provide(layerMemory()))
  )

  it.effect("a run lock is held for its scope: a second taker finds it busy, then free again", () =>
    Effect.gen(function* () {
      const store = yield* StateStore
      yield* Effect.scoped(
        Effect.gen(function* () {
          expect(yield* store.runLock("send-events")).toBe(true)
          expect(yield* Effect.scoped(store.runLock("send-events"))).toBe(false)
          expect(yield* Effect.scoped(store.runLock("run"))).toBe(true)
        })
      )
      expect(yield* Effect.scoped(store.runLock("send-events"))).toBe(true)
    }).pipe(Effect.provide(layerMemory()))
  )
})
