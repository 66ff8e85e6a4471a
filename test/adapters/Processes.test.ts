/** The Processes service: stop signals for the scope only, the reload through it; the test layer records. */
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect } from "effect"
import * as Processes from "../../src/adapters/Processes.js"

describe("Processes", () => {
  it.effect("live: the first SIGTERM reaches `first`; the agent's listeners go with the scope (one late-stop listener stays)", () =>
    Effect.gen(function* () {
      const before = process.listeners("SIGTERM")
      const got = yield* Deferred.make<string>()
      yield* Effect.scoped(
        Effect.gen(function* () {
          const p = yield* Processes.Processes
          yield* p.onStopSignals({ first: (s) => Deferred.succeed(got, s), again: () => Effect.void, exitCode: 1 })
          expect(process.listenerCount("SIGTERM")).toBe(before.length + 1)
          process.emit("SIGTERM", "SIGTERM")
          expect(yield* Deferred.await(got)).toBe("SIGTERM")
        })
      )
      // What is left is at most the one process-wide late-stop listener (exits with the code decided; the
      // built CLI's test is test/e2e/StopSignals.cli.test.ts), whatever the number of scopes.
      const added = process.listeners("SIGTERM").filter((l) => !before.includes(l))
      expect(added.length).toBeLessThanOrEqual(1)
      yield* Effect.scoped(
        Effect.flatMap(Processes.Processes, (p) => p.onStopSignals({ first: () => Effect.void, again: () => Effect.void, exitCode: 1 }))
      )
      // A second scope leaves no second one.
      expect(process.listeners("SIGTERM").filter((l) => !before.includes(l))).toEqual(added)
    }).pipe(Effect.provide(Processes.layer))
  )

  it.effect("live: no pidfile means Suricata is not running, nothing to reload", () =>
    Effect.gen(function* () {
      const p = yield* Processes.Processes
      const r = yield* p.reloadSuricata("/nonexistent/suricata.pid")
      expect(r.problem).toBeUndefined()
      expect(r.note).toMatch(/not running/)
    }).pipe(Effect.provide(Processes.layer))
  )

  it.effect("test layer: a second signal exits with the code given, and reloads are recorded", () =>
    Effect.gen(function* () {
      const { layer, probe } = Processes.layerTest({ note: "reloaded", problem: "exited 1" })
      const said: Array<string> = []
      yield* Effect.scoped(
        Effect.gen(function* () {
          const p = yield* Processes.Processes
          yield* p.onStopSignals({
            first: (s) => Effect.sync(() => void said.push(`first ${s}`)),
            again: (s) => Effect.sync(() => void said.push(`again ${s}`)),
            exitCode: 1
          })
          yield* probe.raise("SIGINT")
          yield* probe.raise("SIGTERM")
          expect(yield* p.runReloadCommand("/bin/true", 5000)).toMatchObject({ problem: "exited 1" })
        }).pipe(Effect.provide(layer))
      )
      expect(said).toEqual(["first SIGINT", "again SIGTERM"])
      expect(probe.exited).toEqual([1])
      expect(probe.reloads).toEqual([{ command: "/bin/true", timeoutMs: 5000 }])
    })
  )
})
