/**
 * The agent's one lock (state, run locks, the rules store, token writes): a file beside what it guards,
 * naming its holder `{pid, host, nonce}` (src/domain/LockHolder.ts judges it). The file is published whole
 * — written to a temp file, then link(2)ed to its name, which fails when a lock is there — so a lock file is
 * never seen empty or half-written; one that is (a crash or a full disk under an older agent) is debris and
 * removed at once. A lock whose holder is alive on this host is never broken, whatever the clock says; one
 * whose holder is gone is taken over at once, under a second lock (`.break`) so two breakers cannot both win.
 * Every try is a few file operations and every wait has a bound: failures name the path and the cause.
 */
import { Clock, Data, Effect, Exit, type Scope } from "effect"
import { randomBytes } from "node:crypto"
import { linkSync, mkdirSync, rmSync, unlinkSync, writeFileSync } from "node:fs"
import { rm, unlink, utimes } from "node:fs/promises"
import { hostname } from "node:os"
import { basename, dirname, join } from "node:path"
import { judge, type Judge, type LockHolder, parseHolder, renderHolder, type Seen } from "../domain/LockHolder.js"
import { errno, fsCause, readOwnWithStats } from "./AtomicFile.js"

export class LockError extends Data.TaggedError("LockError")<{
  readonly path: string
  readonly message: string
}> {}

export interface LockOptions {
  /** Keep trying this long while a live holder has the lock [0: one try]. */
  readonly waitMs?: number
  /** A lock from another host counts this long after its holder last touched it [60 s]. */
  readonly foreignStaleMs?: number
}

const RETRY_MS = 10

/** Nonces of the locks this process holds now. */
const heldHere = new Set<string>()

/**
 * A holder with this process's pid is alive only if this process holds that lock now: otherwise it is what
 * an earlier process with the same pid left (a container starts every run as the same pid).
 */
const alive = (h: LockHolder): boolean => {
  if (h.pid === process.pid) return heldHere.has(h.nonce)
  try {
    process.kill(h.pid, 0)
    return true
  } catch (e) {
    return errno(e) === "EPERM"
  }
}

// The steps of a try are synchronous calls on a file of ~50 bytes: through the thread pool they cost several
// times the CPU, and a delivery run takes two locks (issue 22: the daemon's CPU a minute).

/** Publishes `text` at `path` whole; true when the lock is now ours, false when one is there. */
const publish = async (path: string, text: string): Promise<boolean> => {
  // Not AtomicFile's temp name: the rules store sweeps those away, and this one is someone's lock-to-be.
  const tmp = join(dirname(path), `.${basename(path)}.new-${randomBytes(6).toString("hex")}`)
  try {
    writeFileSync(tmp, text, { flag: "wx", mode: 0o600 })
    linkSync(tmp, path)
    return true
  } catch (e) {
    if (errno(e) === "EEXIST") return false
    throw e
  } finally {
    try {
      rmSync(tmp, { force: true })
    } catch {
      // Debris at worst: the temp name is never taken for a lock.
    }
  }
}

/** The lock file now (text and holder from one descriptor), or undefined when there is none. */
const look = async (path: string): Promise<{ readonly text: string; readonly seen: Seen } | undefined> => {
  const r = readOwnWithStats(path)
  return r === undefined ? undefined : { text: r.text, seen: { holder: parseHolder(r.text), touchedAt: r.stats.mtimeMs } }
}

/** Removes `path` if it still holds `text` (the lock judged stale), under the breaker lock. */
const breakStale = async (path: string, text: string, me: LockHolder, j: Judge): Promise<void> => {
  const breaker = `${path}.break`
  if (!(await publish(breaker, renderHolder(me)))) {
    // Another breaker at work (try again shortly), or one that died mid-break: its file is debris.
    const b = await look(breaker)
    if (b !== undefined && !judge(b.seen, j).held) await rm(breaker, { force: true })
    return
  }
  try {
    const again = await look(path)
    if (again !== undefined && again.text === text) await unlink(path).catch((e) => (errno(e) === "ENOENT" ? undefined : Promise.reject(e)))
  } finally {
    await rm(breaker, { force: true }).catch(() => undefined)
  }
}

/** One try: true when the lock is now ours, false when a live holder has it. */
const takeOnce = async (path: string, me: LockHolder, j: Judge): Promise<boolean> => {
  const text = renderHolder(me)
  for (let i = 0; i < 3; i++) {
    if (await publish(path, text)) return true
    const held = await look(path)
    if (held === undefined) continue
    if (judge(held.seen, j).held) return false
    await breakStale(path, held.text, me, j)
  }
  return false
}

const release = async (path: string, nonce: string): Promise<void> => {
  const held = await look(path).catch(() => undefined)
  if (held?.seen.holder?.nonce === nonce) {
    try {
      unlinkSync(path)
    } catch {
      // Already gone.
    }
  }
}

/**
 * Takes the lock file `path` for the scope: false when a live holder keeps it past `waitMs`. Uninterruptible
 * except while waiting, so an interruption never leaves a lock without the finalizer that removes it (in a
 * long-running process its live pid would hold it for good).
 */
export const lockFile = (path: string, opts: LockOptions = {}): Effect.Effect<boolean, LockError, Scope.Scope> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.gen(function* () {
      const host = hostname()
      const me: LockHolder = { pid: process.pid, host, nonce: randomBytes(8).toString("hex") }
      const foreignStaleMs = opts.foreignStaleMs ?? 60_000
      const attempt = Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.tryPromise({
          try: async () => {
            mkdirSync(dirname(path), { recursive: true })
            return takeOnce(path, me, { host, alive, now, foreignStaleMs })
          },
          catch: (e) => new LockError({ path, message: `cannot take the lock ${path}: ${fsCause(e)}` })
        })
      )
      // Registered before the lock file exists: another fiber of this process must never judge it debris.
      heldHere.add(me.nonce)
      const got = yield* Effect.gen(function* () {
        let taken = yield* attempt
        for (let i = 0; !taken && i < Math.ceil((opts.waitMs ?? 0) / RETRY_MS); i++) {
          yield* restore(Effect.sleep(RETRY_MS))
          taken = yield* attempt
        }
        return taken
      }).pipe(Effect.onExit((exit) => (Exit.isSuccess(exit) && exit.value ? Effect.void : Effect.sync(() => heldHere.delete(me.nonce)))))
      if (!got) return false
      yield* Effect.addFinalizer(() =>
        Effect.promise(() => release(path, me.nonce)).pipe(Effect.ensuring(Effect.sync(() => heldHere.delete(me.nonce))))
      )
      // Touched for judges on other hosts (one here asks whether the process lives instead). A plain unref'd
      // timer, not a fiber on the Clock: housekeeping that must neither keep a finished command alive nor
      // count among a program's waits.
      const touch = setInterval(() => {
        const now = new Date()
        utimes(path, now, now).catch(() => undefined)
      }, foreignStaleMs / 4)
      touch.unref()
      yield* Effect.addFinalizer(() => Effect.sync(() => clearInterval(touch)))
      return true
    })
  )
