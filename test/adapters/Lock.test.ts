/**
 * The one lock (src/adapters/Lock.ts) on real files and real processes: liveness, not age (issue 15, rows 3,
 * 6 and 13). The clock is a TestClock where the judgement reads it.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Scope, TestClock } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { readdir, readFile, stat, utimes, writeFile } from "node:fs/promises"
import { hostname } from "node:os"
import { join } from "node:path"
import { lockFile } from "../../src/adapters/Lock.js"
import { tempDir } from "../support/TempDir.js"

const CHILD = join(import.meta.dirname, "..", "support", "modify-child.ts")
const HOUR = 3_600_000

/** A process holding `<dir>/send-events.lock` (through the state store's run lock) until killed. */
const holder = (dir: string) =>
  Effect.acquireRelease(
    Effect.promise(
      () =>
        new Promise<ChildProcess>((resolve, reject) => {
          const child = spawn(process.execPath, ["--import", "tsx", CHILD, "hold", join(dir, "state.json")], { stdio: ["ignore", "pipe", "inherit"] })
          child.on("error", reject)
          child.stdout!.once("data", (d: Buffer) => (d.toString().trim() === "held" ? resolve(child) : reject(new Error(d.toString()))))
        })
    ),
    (child) => Effect.sync(() => child.kill("SIGKILL"))
  )

const kill = (child: ChildProcess) =>
  Effect.promise(() => new Promise((resolve) => {
    child.on("exit", resolve)
    child.kill("SIGKILL")
  }))

const taken = (path: string) => Effect.scoped(lockFile(path))

describe("Lock", () => {
  it.scoped("a lock held by a live process here is never broken, whatever the clock says; once it is gone, at once", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir()
      const path = join(dir, "send-events.lock")
      const child = yield* holder(dir)
      expect(yield* taken(path)).toBe(false)
      // The clock steps 2 h forward, and the holder has not touched its file for 2 h (a blocked event loop).
      yield* TestClock.adjust(2 * HOUR)
      const old = (Date.now() - 2 * HOUR) / 1000
      yield* Effect.promise(() => utimes(path, old, old))
      expect(yield* taken(path)).toBe(false)
      expect(yield* Effect.scoped(lockFile(path, { foreignStaleMs: 1 }))).toBe(false)
      // SIGKILL: no finalizer ran, the file is still there, its holder is gone.
      yield* kill(child)
      expect(yield* Effect.promise(() => readdir(dir))).toContain("send-events.lock")
      expect(yield* taken(path)).toBe(true)
    }), 30_000)

  it.scoped("a lock from another host counts until its holder has not touched it for the limit", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir()
      const path = join(dir, "x.lock")
      yield* Effect.promise(() => writeFile(path, JSON.stringify({ pid: 1, host: `not-${hostname()}`, nonce: "far" })))
      const touched = (yield* Effect.promise(() => stat(path))).mtimeMs
      yield* TestClock.setTime(touched + 59_000)
      expect(yield* Effect.scoped(lockFile(path, { foreignStaleMs: 60_000 }))).toBe(false)
      yield* TestClock.setTime(touched + 61_000)
      expect(yield* Effect.scoped(lockFile(path, { foreignStaleMs: 60_000 }))).toBe(true)
    }))

  it.scoped("an empty or half-written lock file (a crash or a full disk under an older agent) is cleaned up at once", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir()
      const path = join(dir, "send-events.lock")
      for (const debris of ["", '{"pid":12', "garbage"]) {
        yield* Effect.promise(() => writeFile(path, debris))
        // No time passes: taken on the first try.
        expect(yield* taken(path)).toBe(true)
        expect(yield* Effect.promise(() => readdir(dir))).toEqual([])
      }
    }))

  it.scoped("a lock naming this process's pid that it does not hold is what an earlier process with that pid left", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir()
      const path = join(dir, "send-events.lock")
      // A container starts every run as the same pid: the killed run's lock must not look like ours.
      yield* Effect.promise(() => writeFile(path, JSON.stringify({ pid: process.pid, host: hostname(), nonce: "earlier-run" })))
      expect(yield* taken(path)).toBe(true)
    }))

  it.scoped("the lock is published whole (0600, naming this process) and removed at the end of its scope", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir()
      const path = join(dir, "rules", "update.lock")
      const scope = yield* Scope.make()
      expect(yield* Scope.extend(lockFile(path), scope)).toBe(true)
      const text = yield* Effect.promise(() => readFile(path, "utf8"))
      expect(JSON.parse(text)).toMatchObject({ pid: process.pid, host: hostname() })
      expect((yield* Effect.promise(() => stat(path))).mode & 0o777).toBe(0o600)
      expect(yield* Effect.promise(() => readdir(join(dir, "rules")))).toEqual(["update.lock"])
      // Held by this live process: a second taker here is refused too.
      expect(yield* taken(path)).toBe(false)
      yield* Scope.close(scope, Exit.void)
      expect(yield* Effect.promise(() => readdir(join(dir, "rules")))).toEqual([])
    }))

  it.live("waiting is bounded: a taker gives up after waitMs while a live holder keeps the lock", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir()
      const path = join(dir, "state.json.lock")
      const scope = yield* Scope.make()
      yield* Scope.extend(lockFile(path), scope)
      const started = Date.now()
      expect(yield* Effect.scoped(lockFile(path, { waitMs: 200 }))).toBe(false)
      expect(Date.now() - started).toBeLessThan(5_000)
      yield* Scope.close(scope, Exit.void)
    }).pipe(Effect.scoped))
})
