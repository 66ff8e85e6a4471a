/**
 * The StateStore in memory: the same service without files, for a sensor that lives as long as one process
 * (`replay`'s simulated sensor) and for programs under test. `modify` is serialised as the file store's is;
 * a run lock is held for its scope, and a second taker finds it busy.
 */
import { Effect, Layer, Ref } from "effect"
import { type AgentState, emptyState } from "../domain/AgentState.js"
import { type Loaded, StateStore, type StateStoreService } from "./StateStore.js"

export const make = (path = "(memory)", initial?: AgentState): Effect.Effect<StateStoreService> =>
  Effect.gen(function* () {
    const state = yield* Ref.make<AgentState | undefined>(initial)
    const serial = yield* Effect.makeSemaphore(1)
    const held = new Set<string>()
    const load = Effect.map(Ref.get(state), (s): Loaded => (s === undefined ? { state: emptyState, status: "missing" } : { state: s, status: "ok" }))
    return {
      path,
      load,
      modify: (f) =>
        serial.withPermits(1)(
          Effect.flatMap(load, (loaded) => {
            const next = f(loaded.state)
            return Effect.as(Ref.set(state, next), { ...loaded, state: next })
          })
        ),
      runLock: (name) =>
        Effect.acquireRelease(
          Effect.sync(() => (held.has(name) ? false : (held.add(name), true))),
          (got) => Effect.sync(() => void (got && held.delete(name)))
        )
    }
  })

export const layerMemory = (path?: string, initial?: AgentState): Layer.Layer<StateStore> => Layer.effect(StateStore, make(path, initial))
