/** The Processes service: stop signals for the scope only, the reload through it; the test layer records. */
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect } from "effect"
import * as Processes from "../../src/adapters/Processes.js"

// The worker's own listeners, before any scope of this file added one.
const worker = { SIGTERM: process.listeners("SIGTERM"), SIGINT: process.listeners("SIGINT"), SIGHUP: process.listeners("SIGHUP") }

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

  it.effect("live: while the scope ends, a stop or reload signal always has a listener (none falls to Node's default, death by it)", () =>
    Effect.gen(function* () {
      // As in a fresh process: none of this module's listeners left from the test above. On Node 20, removing a
      // signal's last listener stops its watcher and the system's default comes back (a child turning
      // `off`/`on` in a loop under 1 ms SIGTERMs dies of one within seconds; `on` before `off` never does), so
      // a SIGTERM between an `off` and an `on` killed the built CLI in CI (test/e2e/StopSignals.cli.test.ts).
      const signals = ["SIGTERM", "SIGINT", "SIGHUP"] as const
      const ours = (s: (typeof signals)[number]) => process.listeners(s).filter((l) => !worker[s].includes(l))
      for (const s of signals) for (const l of ours(s)) process.off(s, l as never)
      const bare: Array<string> = []
      const watch = (event: string | symbol) => {
        for (const s of signals) if (event === s && ours(s).length === 0) bare.push(s)
      }
      process.on("removeListener", watch)
      try {
        yield* Effect.scoped(
          Effect.flatMap(Processes.Processes, (p) =>
            Effect.zipRight(
              p.onStopSignals({ first: () => Effect.void, again: () => Effect.void, exitCode: 1 }),
              p.onReloadSignal(() => Effect.void)
            )
          )
        )
      } finally {
        process.off("removeListener", watch)
      }
      expect(bare).toEqual([])
      for (const s of signals) expect(ours(s), s).toHaveLength(1)
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
