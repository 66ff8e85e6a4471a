import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Scope } from "effect"
import { spawn } from "node:child_process"
import { chmod, mkdtemp, readdir, readFile, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { make } from "../../src/adapters/StateStore.js"
import { emptyState } from "../../src/domain/AgentState.js"

const tmp = () => Effect.promise(() => mkdtemp(join(tmpdir(), "state-")))
const CHILD = join(__dirname, "..", "support", "modify-child.ts")
// One process (not the tsx wrapper, whose child would outlive a SIGKILL of the wrapper).
const NODE_ARGS = ["--import", "tsx", CHILD]

const runChild = (args: Array<string>) =>
  new Promise<number>((resolve, reject) => {
    const c = spawn(process.execPath, [...NODE_ARGS, ...args], { stdio: ["ignore", "ignore", "inherit"] })
    c.on("error", reject)
    c.on("exit", (code) => resolve(code ?? -1))
  })

const bump = (s: typeof emptyState) => ({ ...s, counters: { ...s.counters, read: s.counters.read + 1 } })

describe("StateStore", () => {
  it.effect("a missing file is a first run; modify creates it atomically, leaving no temp files", () =>
    Effect.gen(function* () {
      const dir = yield* tmp()
      const store = yield* make(join(dir, "run", "state.json"))
      const first = yield* store.load
      expect(first.status).toBe("missing")
      expect(first.state).toEqual(emptyState)
      yield* store.modify(bump)
      const again = yield* store.load
      expect(again.status).toBe("ok")
      expect(again.state.counters.read).toBe(1)
      const names = yield* Effect.promise(() => readdir(join(dir, "run")))
      expect(names.sort()).toEqual(["state.json"])
    })
  )

  it.effect("a corrupt file is reported once, kept aside, and treated as a first run", () =>
    Effect.gen(function* () {
      const dir = yield* tmp()
      const path = join(dir, "state.json")
      const store = yield* make(path)
      for (const bad of ['{"version":1,"files":[', '{"version":1,"files":"x"}', '{"version":0}', "[]", ""]) {
        yield* Effect.promise(() => writeFile(path, bad))
        const r = yield* store.modify(bump)
        expect(r.status).toBe("corrupt")
        expect(r.problem).toContain(path)
        expect(r.state.counters.read).toBe(1)
        expect(yield* Effect.promise(() => readFile(`${path}.corrupt`, "utf8"))).toBe(bad)
        const next = yield* store.modify(bump)
        expect(next.status).toBe("ok")
        expect(next.problem).toBeUndefined()
        expect(next.state.counters.read).toBe(2)
      }
    })
  )

  it.effect("round-trips everything it knows", () =>
    Effect.gen(function* () {
      const dir = yield* tmp()
      const store = yield* make(join(dir, "state.json"))
      const s = {
        ...emptyState,
        files: [{ fingerprint: "ab", path: "/x/eve.json", dev: 1, ino: 2, offset: 30 }],
        lastSend: { at: 5, ok: true, message: "sent 3" },
        hourly: [{ hour: 3_600_000, sent: 3, rejected: 0, expired: 1 }]
      }
      yield* store.modify(() => s)
      expect((yield* store.load).state).toEqual(s)
    })
  )

  it.live("concurrent modifies from several processes and fibers lose no update", () =>
    Effect.gen(function* () {
      const dir = yield* tmp()
      const path = join(dir, "state.json")
      const store = yield* make(path)
      const children = Effect.promise(() => Promise.all([0, 1, 2].map(() => runChild(["modify", path, "15"]))))
      const fibers = Effect.forEach(Array.from({ length: 30 }, () => 0), () => store.modify(bump), { concurrency: 10 })
      const [codes] = yield* Effect.all([children, fibers], { concurrency: 2 })
      expect(codes).toEqual([0, 0, 0])
      expect((yield* store.load).state.counters.read).toBe(3 * 15 + 30)
    }),
    60_000
  )

  it.live("the run lock: a second taker is refused while held, and gets it after release", () =>
    Effect.gen(function* () {
      const dir = yield* tmp()
      const store = yield* make(join(dir, "state.json"))
      const scope = yield* Scope.make()
      expect(yield* Scope.extend(store.runLock("send-events"), scope)).toBe(true)
      expect(yield* Effect.scoped(store.runLock("send-events"))).toBe(false)
      // Another name is another lock.
      expect(yield* Effect.scoped(store.runLock("rules"))).toBe(true)
      yield* Scope.close(scope, Exit.void)
      expect(yield* Effect.scoped(store.runLock("send-events"))).toBe(true)
    })
  )

  it.live("an interrupted taker never leaves the lock behind (it would be held by our own live pid)", () =>
    Effect.gen(function* () {
      const dir = yield* tmp()
      const store = yield* make(join(dir, "state.json"))
      for (let i = 0; i < 50; i++) {
        const fiber = yield* Effect.fork(Effect.scoped(Effect.zipRight(store.runLock("send-events"), Effect.never)))
        yield* Effect.promise(() => new Promise((r) => setTimeout(r, i % 5)))
        yield* Fiber.interrupt(fiber)
        const modifying = yield* Effect.fork(store.modify(bump))
        if (i % 2 === 0) yield* Fiber.interrupt(modifying)
        else yield* Fiber.join(modifying)
      }
      expect(yield* Effect.scoped(store.runLock("send-events"))).toBe(true)
      // And the state lock is free: a modify completes.
      yield* store.modify(bump)
      expect(yield* Effect.promise(() => readdir(dir))).not.toContain("send-events.lock")
    })
  )

  it.live("a run lock left by a process killed with SIGKILL is taken over at once", () =>
    Effect.gen(function* () {
      const dir = yield* tmp()
      const path = join(dir, "state.json")
      const store = yield* make(path)
      const child = spawn(process.execPath, [...NODE_ARGS, "hold", path], { stdio: ["ignore", "pipe", "inherit"] })
      const said = yield* Effect.promise(
        () => new Promise<string>((resolve) => child.stdout!.once("data", (d: Buffer) => resolve(d.toString().trim())))
      )
      expect(said).toBe("held")
      expect(yield* Effect.scoped(store.runLock("send-events"))).toBe(false)
      yield* Effect.promise(() => new Promise((resolve) => { child.on("exit", resolve); child.kill("SIGKILL") }))
      // The lock file is still there, but its process is gone.
      expect(yield* Effect.promise(() => readdir(dir))).toContain("send-events.lock")
      expect(yield* Effect.scoped(store.runLock("send-events"))).toBe(true)
    }),
    30_000
  )
})

describe("StateStore, issue 15", () => {
  const mode = (p: string) => Effect.promise(() => stat(p).then((s) => s.mode & 0o777))

  it.effect("a state file from a newer version stops the command, names the version, and is left untouched (row 19)", () =>
    Effect.gen(function* () {
      const dir = yield* tmp()
      const path = join(dir, "state.json")
      const newer = JSON.stringify({ version: 2, files: [{ somethingNew: true }], counters: {} }) + "\n"
      yield* Effect.promise(() => writeFile(path, newer, { mode: 0o600 }))
      const store = yield* make(path)
      for (const op of [store.load, store.modify(bump)]) {
        const e = yield* Effect.flip(op)
        expect(e._tag).toBe("StateTooNew")
        expect(e.message).toContain(path)
        expect(e.message).toContain("version 2")
      }
      expect(yield* Effect.promise(() => readFile(path, "utf8"))).toBe(newer)
      expect(yield* Effect.promise(() => readdir(dir))).toEqual(["state.json"])
    })
  )

  it.effect("only the known fields are kept on rewrite (issue 24 row 9): unknown keys and a recorded answer's unknown fields go", () =>
    Effect.gen(function* () {
      const dir = yield* tmp()
      const path = join(dir, "state.json")
      const known = JSON.parse(JSON.stringify({ ...emptyState, lastSend: { at: 1, ok: true, message: "m" } })) as Record<string, unknown>
      // What an older agent stored from a service that answered 40,000 keys.
      const junk = Object.fromEntries(Array.from({ length: 40_000 }, (_, i) => [`k${i}`, i]))
      const info = { at: 5, result: { status: "ok", sensor_status: "active", created: "2026-01-01T00:00:00Z", ...junk } }
      yield* Effect.promise(() => writeFile(path, JSON.stringify({ ...known, addedLater: { x: [1, 2] }, note: "x", lastSensorInfo: info })))
      const store = yield* make(path)
      // A field the change removes stays removed; the unknown ones are dropped.
      yield* store.modify((s) => {
        const { lastSend: _, ...rest } = bump(s)
        return rest
      })
      const text = yield* Effect.promise(() => readFile(path, "utf8"))
      const written = JSON.parse(text) as Record<string, unknown>
      expect(written).toMatchObject({ counters: { read: 1 }, lastSensorInfo: { at: 5, result: { status: "ok", sensor_status: "active", created: "2026-01-01T00:00:00Z" } } })
      expect(written).not.toHaveProperty("lastSend")
      expect(written).not.toHaveProperty("addedLater")
      expect(written).not.toHaveProperty("note")
      expect(Object.keys((written["lastSensorInfo"] as { result: object }).result).sort()).toEqual(["created", "sensor_status", "status"])
      expect(text.length).toBeLessThan(2000)
    })
  )

  it.effect("the state and its corrupt sibling are 0600; an existing 0644 state is tightened when read (row 12)", () =>
    Effect.gen(function* () {
      const dir = yield* tmp()
      const path = join(dir, "state.json")
      const store = yield* make(path)
      yield* store.modify(bump)
      expect(yield* mode(path)).toBe(0o600)
      yield* Effect.promise(() => chmod(path, 0o644))
      yield* store.load
      expect(yield* mode(path)).toBe(0o600)
      yield* Effect.promise(() => writeFile(path, "{not json", { mode: 0o644 }))
      yield* Effect.promise(() => chmod(path, 0o644))
      expect((yield* store.load).status).toBe("corrupt")
      expect(yield* mode(`${path}.corrupt`)).toBe(0o600)
    })
  )

  it.effect("a state write that fails (a full disk) ends at once with the path and the cause; the state is as it was, the lock free (row 2)", () =>
    Effect.gen(function* () {
      const dir = yield* tmp()
      const path = join(dir, "state.json")
      yield* (yield* make(path)).modify(bump)
      const before = yield* Effect.promise(() => readFile(path, "utf8"))
      const full = yield* make(path, {
        write: () => Promise.reject(Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" }))
      })
      const e = yield* Effect.flip(full.modify(bump))
      expect(e.message).toBe(`cannot write the state file ${path}: no space left on the device (ENOSPC)`)
      expect(yield* Effect.promise(() => readFile(path, "utf8"))).toBe(before)
      expect(yield* Effect.promise(() => readdir(dir))).toEqual(["state.json"])
      // No sleep and no retry loop: under the TestClock, it failed without time passing.
      expect((yield* (yield* make(path)).modify(bump)).state.counters.read).toBe(2)
    })
  )

  it.effect("a modify that changes nothing writes nothing and takes no lock; a change is written (issue 22: an idle daemon minute)", () =>
    Effect.gen(function* () {
      const dir = yield* tmp()
      const path = join(dir, "state.json")
      yield* (yield* make(path)).modify(bump)
      const writes: Array<string> = []
      const counted = yield* make(path, { write: (p, text) => Promise.resolve(void writes.push(text)) })
      const same = yield* counted.modify((s) => ({ ...s, files: [...s.files] }))
      expect(same.state.counters.read).toBe(1)
      expect(writes).toEqual([])
      expect(yield* Effect.promise(() => readdir(dir))).toEqual(["state.json"])
      yield* counted.modify(bump)
      expect(writes).toHaveLength(1)
      // A first run (no file yet) is written even when the change is none: the file records the first look.
      const fresh = yield* make(join(dir, "new.json"), { write: (p, text) => Promise.resolve(void writes.push(text)) })
      yield* fresh.modify((s) => s)
      expect(writes).toHaveLength(2)
    })
  )
})
