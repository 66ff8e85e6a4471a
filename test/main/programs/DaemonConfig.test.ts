/** Issue 24 row 7: the daemon's kept configuration, on SIGHUP (Processes test layer) and in each task's read. */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Ref } from "effect"
import * as Processes from "../../../src/adapters/Processes.js"
import { type DaemonConfig, orLastGood, reloadDaemonConfig } from "../../../src/main/programs/DaemonConfig.js"
import type { Privacy } from "../../../src/main/Privacy.js"
import { localNetworks } from "../../../src/domain/Network.js"

const privacy = (sids: Array<number>): Privacy => ({ local: localNetworks([], []), sids: new Set(sids), warnings: [] })
const token = (t: string) => ({ token: t, source: "/etc/token", trimmed: false, warnings: [] })

describe("the run daemon's configuration", () => {
  it.scoped("SIGHUP: a good one replaces the kept one, a bad one is logged and the old one kept", () =>
    Effect.gen(function* () {
      const { layer, probe } = Processes.layerTest()
      const held = yield* Ref.make<DaemonConfig | undefined>({ token: token("old-token-1"), privacy: privacy([1]) })
      const said: Array<string> = []
      let next: { sids?: Array<number>; fail?: string } = { sids: [1, 2, 3] }
      const sources = {
        token: Effect.succeed(token("new-token-2")),
        privacy: Effect.suspend(() => (next.fail !== undefined ? Effect.fail(new Error(next.fail)) : Effect.succeed(privacy(next.sids!))))
      }
      const processes = yield* Effect.provide(Processes.Processes, layer)
      yield* processes.onReloadSignal(() => reloadDaemonConfig(held, sources, (l) => Effect.sync(() => void said.push(l)), "schedule"))
      yield* probe.hangup()
      expect(said).toEqual(["emergingthreats: run: SIGHUP: configuration re-read: token from /etc/token; 3 telemetry SIDs; HOME_NET read; schedule"])
      expect((yield* Ref.get(held))?.token.token).toBe("new-token-2")
      next = { fail: "cannot read /etc/sids (EACCES)" }
      yield* probe.hangup()
      expect(said[1]).toBe("emergingthreats: run: SIGHUP: the new configuration is not used (cannot read /etc/sids (EACCES)); keeping the previous one (token from /etc/token; 3 telemetry SIDs; HOME_NET read)")
      expect((yield* Ref.get(held))?.privacy.sids.size).toBe(3)
      // Never the token in a line.
      expect(said.join("\n")).not.toContain("token-")
    }))

  it.effect("a task's fresh read wins; when it fails, the kept configuration is used; with none kept, the failure stands", () =>
    Effect.gen(function* () {
      const held = yield* Ref.make<DaemonConfig | undefined>(undefined)
      const failing = Effect.fail("unreadable")
      expect(yield* Effect.flip(orLastGood(failing, held, (c) => c.token.token))).toBe("unreadable")
      yield* Ref.set(held, { token: token("kept-token"), privacy: privacy([]) })
      expect(yield* orLastGood(failing, held, (c) => c.token.token)).toBe("kept-token")
      expect(yield* orLastGood(Effect.succeed("fresh-token"), held, (c) => c.token.token)).toBe("fresh-token")
    }))
})
