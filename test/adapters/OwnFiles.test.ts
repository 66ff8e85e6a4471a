/**
 * Issue 24 row 4, adapter by adapter, on real FIFOs (mkfifo(1)) and directories: nothing opens one of the
 * agent's own files for a read that could block; each refuses it at once naming the path, and the state
 * lock is free afterwards.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { execFileSync } from "node:child_process"
import { mkdir, mkdtemp, rm, stat } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { openOwnFd, readOwnText } from "../../src/adapters/AtomicFile.js"
import * as AuditLog from "../../src/adapters/AuditLog.js"
import { readToken } from "../../src/adapters/Credentials.js"
import { lockFile } from "../../src/adapters/Lock.js"
import { make as makeState } from "../../src/adapters/StateStore.js"

const dir = () => Effect.promise(() => mkdtemp(join(tmpdir(), "own-files-")))
const fifo = (p: string) => Effect.sync(() => void execFileSync("mkfifo", [p]))
// Every step below must answer at once; a blocking open would hang far past this.
const quick = <A, E, R>(e: Effect.Effect<A, E, R>) => Effect.timeoutFail(e, { duration: 3000, onTimeout: () => new Error("blocked") })

const failureMessage = (exit: Exit.Exit<unknown, unknown>): string => {
  if (Exit.isSuccess(exit)) return "(succeeded)"
  return String((exit.cause as { error?: { message?: string } }).error?.message ?? exit.cause)
}

describe("own files that are FIFOs or directories (issue 24 row 4)", () => {
  it.effect("openOwnFd and readOwnText refuse a FIFO (read and write), a directory; a missing file is undefined", () =>
    Effect.gen(function* () {
      const d = yield* dir()
      const p = join(d, "f")
      yield* fifo(p)
      expect(() => readOwnText(p)).toThrow(`${p} is a FIFO, not a regular file`)
      const { constants } = yield* Effect.promise(() => import("node:fs"))
      expect(() => openOwnFd(p, constants.O_WRONLY | constants.O_APPEND)).toThrow(`${p} is a FIFO`)
      yield* Effect.promise(() => mkdir(join(d, "dir")))
      expect(() => readOwnText(join(d, "dir"))).toThrow("is a directory")
      expect(readOwnText(join(d, "none"))).toBeUndefined()
    }))

  it.effect("StateStore: load and modify fail at once naming the path, and leave the state lock free", () =>
    Effect.gen(function* () {
      const d = yield* dir()
      const path = join(d, "state.json")
      yield* fifo(path)
      const store = yield* makeState(path, { lockWaitMs: 200 })
      const loaded = yield* quick(store.load).pipe(Effect.exit)
      expect(failureMessage(loaded)).toContain(`${path} is a FIFO, not a regular file`)
      const modified = yield* quick(store.modify((s) => s)).pipe(Effect.exit)
      expect(failureMessage(modified)).toContain(`${path} is a FIFO`)
      yield* Effect.promise(() => rm(path))
      // The lock was released with the failure: the next write goes through at once.
      yield* quick(store.modify((s) => s))
      expect((yield* Effect.promise(() => stat(path))).isFile()).toBe(true)
    }))

  it.effect("Lock: a FIFO at the lock path is refused, not waited on", () =>
    Effect.gen(function* () {
      const d = yield* dir()
      const path = join(d, "send-events.lock")
      yield* fifo(path)
      const got = yield* quick(Effect.scoped(lockFile(path, { waitMs: 100 }))).pipe(Effect.exit)
      expect(failureMessage(got)).toContain(`${path} is a FIFO`)
    }))

  it.effect("AuditLog: append and read refuse a FIFO at once", () =>
    Effect.gen(function* () {
      const d = yield* dir()
      const state = join(d, "state.json")
      const audit = AuditLog.make(AuditLog.auditPath(state))
      yield* fifo(audit.path)
      expect(failureMessage(yield* quick(audit.append(["{}"])).pipe(Effect.exit))).toContain(`${audit.path} is a FIFO`)
      expect(failureMessage(yield* quick(audit.read).pipe(Effect.exit))).toContain(`${audit.path} is a FIFO`)
    }))

  it.effect("Credentials: a FIFO at the token file is refused naming it", () =>
    Effect.gen(function* () {
      const d = yield* dir()
      const tokenFile = join(d, "token")
      yield* fifo(tokenFile)
      const r = yield* quick(readToken({ tokenFile, ruleUpdaterConfig: join(d, "rule-updater.config") })).pipe(Effect.exit)
      expect(failureMessage(r)).toContain(`${tokenFile} is a FIFO`)
    }))
})
