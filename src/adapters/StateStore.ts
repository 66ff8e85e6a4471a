/**
 * The agent's state file (`state.json`, schema in src/domain/AgentState.ts): read, and changed by
 * read-modify-write under a short lock so tasks in other processes (heartbeat, sensor-info, rules) record
 * their results without losing each other's updates. Written atomically (temp file, fsync, rename, fsync of
 * the directory). A corrupt file is kept aside as `<state>.corrupt`, reported once, and treated as a first
 * run. `runLock` is the exclusive lock of a delivery run: a second run finds it held and stops.
 *
 * Locks are files created with O_EXCL holding `{pid, host, at}`; one is stale when its process is gone
 * (same host) or when its holder stopped refreshing it, and is broken under a second O_EXCL file so two
 * breakers cannot both win.
 */
import { Context, Data, Effect, Either, Layer, Schema, type Scope } from "effect"
import { randomBytes } from "node:crypto"
import { mkdir, open, readFile, rename, rm, stat, unlink, utimes } from "node:fs/promises"
import { hostname } from "node:os"
import { dirname, join } from "node:path"
import { AgentState, emptyState } from "../domain/AgentState.js"
import { writeFileAtomic } from "./AtomicFile.js"

export class StateError extends Data.TaggedError("StateError")<{
  readonly path: string
  readonly reason: "NotReadable" | "NotWritable" | "LockBusy"
  readonly message: string
}> {}

export interface Loaded {
  readonly state: AgentState
  /** `missing` and `corrupt` both mean a first run. */
  readonly status: "ok" | "missing" | "corrupt"
  /** For the operator, when the file was corrupt (reported once: the file is moved aside). */
  readonly problem?: string | undefined
}

export interface StateStoreService {
  readonly path: string
  readonly load: Effect.Effect<Loaded, StateError>
  /** Read-modify-write under the state lock; `f` must be pure (it may run again on a retry). */
  readonly modify: (f: (s: AgentState) => AgentState) => Effect.Effect<Loaded, StateError>
  /**
   * Takes the exclusive lock `name` (e.g. `send-events`) for the scope; false when another live run holds
   * it. The lock file sits beside the state file.
   */
  readonly runLock: (name: string) => Effect.Effect<boolean, StateError, Scope.Scope>
}

export class StateStore extends Context.Tag("etpro/StateStore")<StateStore, StateStoreService>() {}

const code = (e: unknown) => (e as NodeJS.ErrnoException).code ?? String(e)
const decode = Schema.decodeUnknownEither(AgentState)
const encode = Schema.encodeSync(AgentState)

// ---------------------------------------------------------------------------------------------------------
// Lock files

interface LockContent {
  readonly pid: number
  readonly host: string
  readonly nonce: string
}

const HOST = hostname()

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return code(e) === "EPERM"
  }
}

const sleepMs = (ms: number) => Effect.promise(() => new Promise<void>((r) => setTimeout(r, ms)))

/** One attempt: true when the lock is now ours. */
const tryCreate = async (path: string, content: LockContent): Promise<boolean> => {
  try {
    const fh = await open(path, "wx", 0o644)
    try {
      await fh.writeFile(JSON.stringify(content))
    } finally {
      await fh.close()
    }
    return true
  } catch (e) {
    if (code(e) === "EEXIST") return false
    throw e
  }
}

const readLock = async (path: string): Promise<{ text: string; content?: LockContent | undefined; mtimeMs: number } | undefined> => {
  try {
    const [text, s] = await Promise.all([readFile(path, "utf8"), stat(path)])
    let content: LockContent | undefined
    try {
      const v = JSON.parse(text) as LockContent
      if (typeof v.pid === "number" && typeof v.host === "string") content = v
    } catch {
      // Being written by its creator, or damaged: judged by age alone.
    }
    return { text, content, mtimeMs: s.mtimeMs }
  } catch (e) {
    if (code(e) === "ENOENT") return undefined
    throw e
  }
}

const isStale = (l: { content?: LockContent | undefined; mtimeMs: number }, staleMs: number, now: number): boolean => {
  if (now - l.mtimeMs > staleMs) return true
  if (l.content === undefined) return false
  return l.content.host === HOST && !alive(l.content.pid)
}

/** Removes `path` if it still holds `text` (the stale lock we judged), under a breaker lock. */
const breakStale = async (path: string, text: string): Promise<void> => {
  const breaker = `${path}.break`
  const me: LockContent = { pid: process.pid, host: HOST, nonce: randomBytes(6).toString("hex") }
  if (!(await tryCreate(breaker, me))) {
    const b = await readLock(breaker)
    // A breaker killed mid-break leaves its file: a few seconds later it is fair game.
    if (b !== undefined && Date.now() - b.mtimeMs > 5_000) await rm(breaker, { force: true })
    return
  }
  try {
    const again = await readLock(path)
    if (again !== undefined && again.text === text) await unlink(path).catch(() => undefined)
  } finally {
    await rm(breaker, { force: true })
  }
}

/** Tries to take a lock file; false when a live holder has it. */
const acquireOnce = async (path: string, content: LockContent, staleMs: number): Promise<boolean> => {
  for (let i = 0; i < 3; i++) {
    if (await tryCreate(path, content)) return true
    const held = await readLock(path)
    if (held === undefined) continue
    if (!isStale(held, staleMs, Date.now())) return false
    await breakStale(path, held.text)
  }
  return false
}

const releaseLock = async (path: string, content: LockContent): Promise<void> => {
  const held = await readLock(path).catch(() => undefined)
  if (held?.content?.nonce === content.nonce) await unlink(path).catch(() => undefined)
}

/**
 * A lock file held for the scope. `waitAttempts`: further attempts 10 ms apart before giving up (0: one).
 * The holder refreshes the file's mtime every `staleMs / 4` so a live holder is never judged stale.
 * Uninterruptible except while waiting: an interruption can never leave a lock file without the finalizer
 * that removes it (in a long-running process its live pid would keep it held for good).
 */
export const lockFile = (path: string, opts: { staleMs: number; waitAttempts: number }) =>
  Effect.uninterruptibleMask((restore) =>
    Effect.gen(function* () {
      const content: LockContent = { pid: process.pid, host: HOST, nonce: randomBytes(8).toString("hex") }
      const attempt = Effect.tryPromise({
        try: async () => {
          await mkdir(dirname(path), { recursive: true })
          return acquireOnce(path, content, opts.staleMs)
        },
        catch: (e) => new StateError({ path, reason: "NotWritable", message: `cannot create the lock ${path} (${code(e)})` })
      })
      let got = yield* attempt
      for (let i = 0; !got && i < opts.waitAttempts; i++) {
        yield* restore(sleepMs(10))
        got = yield* attempt
      }
      if (!got) return false
      const refresh = setInterval(() => {
        const now = new Date()
        utimes(path, now, now).catch(() => undefined)
      }, Math.max(250, Math.floor(opts.staleMs / 4)))
      refresh.unref()
      yield* Effect.addFinalizer(() =>
        Effect.promise(async () => {
          clearInterval(refresh)
          await releaseLock(path, content)
        })
      )
      return true
    })
  )

// ---------------------------------------------------------------------------------------------------------
// The state file


export const make = (path: string): Effect.Effect<StateStoreService> =>
  Effect.gen(function* () {
    const inProcess = yield* Effect.makeSemaphore(1)
    const lockPath = `${path}.lock`
    const corruptPath = `${path}.corrupt`

    const load: Effect.Effect<Loaded, StateError> = Effect.tryPromise({
      try: () => readFile(path, "utf8").then((t): string | undefined => t, (e) => {
        if (code(e) === "ENOENT") return undefined
        throw e
      }),
      catch: (e) => new StateError({ path, reason: "NotReadable", message: `cannot read the state file ${path} (${code(e)})` })
    }).pipe(
      Effect.flatMap((text) => {
        if (text === undefined) return Effect.succeed<Loaded>({ state: emptyState, status: "missing" })
        let json: unknown
        let why: string
        try {
          json = JSON.parse(text)
          const d = decode(json)
          if (Either.isRight(d)) return Effect.succeed<Loaded>({ state: d.right, status: "ok" })
          why = "not an agent state"
        } catch {
          why = text.trim() === "" ? "empty" : "not JSON"
        }
        // Kept for a post-mortem, and out of the way so it is reported once.
        return Effect.promise(() => rename(path, corruptPath).then(() => true, () => false)).pipe(
          Effect.map((moved): Loaded => ({
            state: emptyState,
            status: "corrupt",
            problem: `state file ${path} is corrupt (${why})${moved ? `; kept as ${corruptPath}` : ""}; starting afresh`
          }))
        )
      })
    )

    const save = (state: AgentState) =>
      Effect.tryPromise({
        try: () => writeFileAtomic(path, JSON.stringify(encode(state)) + "\n"),
        catch: (e) => new StateError({ path, reason: "NotWritable", message: `cannot write the state file ${path} (${code(e)})` })
      })

    const modify = (f: (s: AgentState) => AgentState) =>
      inProcess.withPermits(1)(
        Effect.scoped(
          Effect.gen(function* () {
            const got = yield* lockFile(lockPath, { staleMs: 10_000, waitAttempts: 500 })
            if (!got) {
              return yield* new StateError({ path, reason: "LockBusy", message: `the state lock ${lockPath} stayed busy for 5 s` })
            }
            // Read, change and write as one step: an interruption cannot leave a write running after the
            // lock is released.
            return yield* Effect.uninterruptible(
              Effect.gen(function* () {
                const loaded = yield* load
                const next = f(loaded.state)
                yield* save(next)
                return { ...loaded, state: next }
              })
            )
          })
        )
      )

    return {
      path,
      load,
      modify,
      runLock: (name) => lockFile(join(dirname(path), `${name}.lock`), { staleMs: 60_000, waitAttempts: 0 })
    }
  })

export const layer = (path: string): Layer.Layer<StateStore> => Layer.effect(StateStore, make(path))
