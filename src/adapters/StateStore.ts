/**
 * The agent's state file (`state.json`, schema in src/domain/AgentState.ts): read, and changed by
 * read-modify-write under a short lock so tasks in other processes (heartbeat, sensor-info, rules) record
 * their results without losing each other's updates. Written atomically (./AtomicFile.ts) and 0600 (an
 * older, looser file is tightened). A corrupt file is kept aside as `<state>.corrupt`, reported once, and
 * treated as a first run; a file from a newer agent stops the command and is left untouched. A change that
 * changes nothing writes nothing (no lock, no fsync: flash storage). `runLock` is
 * the exclusive lock of a delivery run: a second run finds it held and stops. Locks are ./Lock.ts's.
 */
import { Context, Data, Effect, Layer, type Scope } from "effect"
import { chmod, rename } from "node:fs/promises"
import { dirname, join } from "node:path"
import { AgentState, emptyState, parseState, renderState, STATE_VERSION } from "../domain/AgentState.js"
import { fsCause, NotRegularFile, readOwnText, readOwnTextIfReadable, writeFileAtomic } from "./AtomicFile.js"
import { lockFile } from "./Lock.js"

export class StateFileError extends Data.TaggedError("StateFileError")<{
  readonly path: string
  readonly reason: "NotReadable" | "NotWritable" | "LockBusy"
  readonly message: string
}> {}

/** The state file was written by a newer agent: the command stops (exit 2) and leaves it as it is. */
export class StateTooNew extends Data.TaggedError("StateTooNew")<{
  readonly path: string
  readonly version: number
  readonly message: string
}> {}

export type StateError = StateFileError | StateTooNew

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

const OWNER_ONLY = 0o600

/**
 * The file's text (tightened to 0600 if it was looser: results received from the service are kept here, not
 * for other local users, issue 15 row 12), undefined when there is none. Read synchronously (./AtomicFile.ts).
 */
const readText = (path: string): string | undefined => readOwnText(path, OWNER_ONLY)

export interface StateStoreOptions {
  /** Replaces a file atomically (tests inject a full disk here) [writeFileAtomic]. */
  readonly write?: (path: string, text: string, mode: number) => Promise<void>
  /** How long a state write waits for another process's state lock [5 s]. */
  readonly lockWaitMs?: number
}

export const make = (path: string, options: StateStoreOptions = {}): Effect.Effect<StateStoreService> =>
  Effect.gen(function* () {
    const inProcess = yield* Effect.makeSemaphore(1)
    const lockPath = `${path}.lock`
    const corruptPath = `${path}.corrupt`
    const write = options.write ?? writeFileAtomic
    const lockWaitMs = options.lockWaitMs ?? 5_000

    let last: { readonly text: string; readonly parsed: ReturnType<typeof parseState> } | undefined
    /** The state: its known fields only (issue 24 row 9). */
    const read = Effect.try({
      try: () => readText(path),
      catch: (e) =>
        new StateFileError({
          path,
          reason: "NotReadable",
          message: e instanceof NotRegularFile ? `state file ${e.message}` : `cannot read the state file ${path}: ${fsCause(e)}`
        })
    }).pipe(
      Effect.flatMap((text): Effect.Effect<{ loaded: Loaded }, StateError> => {
        if (text === undefined) return Effect.succeed({ loaded: { state: emptyState, status: "missing" } })
        // The daemon reads the state every minute, mostly unchanged: the same text decodes to the same state.
        const parsed = last?.text === text ? last.parsed : parseState(text)
        last = { text, parsed }
        if (parsed.kind === "ok") return Effect.succeed({ loaded: { state: parsed.state, status: "ok" } })
        if (parsed.kind === "newer") {
          return Effect.fail(new StateTooNew({
            path,
            version: parsed.version,
            message: `the state file ${path} is version ${parsed.version}, written by a newer agent (this one reads version ${STATE_VERSION}); left untouched: upgrade the agent, or move the file away to start afresh`
          }))
        }
        // Kept for a post-mortem (0600, like the state), and out of the way so it is reported once.
        return Effect.promise(() =>
          rename(path, corruptPath).then(() => chmod(corruptPath, OWNER_ONLY).then(() => true, () => true), () => false)
        ).pipe(
          Effect.map((moved) => ({
            loaded: {
              state: emptyState,
              status: "corrupt" as const,
              problem: `state file ${path} is corrupt (${parsed.why})${moved ? `; kept as ${corruptPath}` : ""}; starting afresh`
            }
          }))
        )
      })
    )

    const save = (state: AgentState) =>
      Effect.tryPromise({
        try: () => write(path, renderState(state), OWNER_ONLY),
        catch: (e) => new StateFileError({ path, reason: "NotWritable", message: `cannot write the state file ${path}: ${fsCause(e)}` })
      })

    /** The file's state when `f` leaves it as it is: nothing to lock or write (a daemon's idle minute, cron's). */
    const unchanged = (f: (s: AgentState) => AgentState) =>
      Effect.sync((): Loaded | undefined => {
        const text = readOwnTextIfReadable(path, OWNER_ONLY)
        // Anything but a good file (missing, corrupt, newer) goes the locked way, which reports it.
        const parsed = text === undefined ? undefined : last?.text === text ? last.parsed : parseState(text)
        if (parsed?.kind !== "ok") return undefined
        const same = renderState(f(parsed.state)) === renderState(parsed.state)
        return same ? { state: parsed.state, status: "ok" } : undefined
      })

    const modify = (f: (s: AgentState) => AgentState) =>
      Effect.flatMap(unchanged(f), (same) => (same !== undefined ? Effect.succeed(same) : locked(f)))

    const locked = (f: (s: AgentState) => AgentState) =>
      inProcess.withPermits(1)(
        Effect.scoped(
          Effect.gen(function* () {
            const got = yield* lockFile(lockPath, { waitMs: lockWaitMs, foreignStaleMs: 10_000 }).pipe(
              Effect.mapError((e) => new StateFileError({ path, reason: "NotWritable", message: e.message }))
            )
            if (!got) {
              return yield* new StateFileError({
                path,
                reason: "LockBusy",
                message: `the state lock ${lockPath} stayed busy for ${lockWaitMs / 1000} s (held by a live process)`
              })
            }
            // Read, change and write as one step: an interruption cannot leave a write running after the
            // lock is released.
            return yield* Effect.uninterruptible(
              Effect.gen(function* () {
                const { loaded } = yield* read
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
      load: Effect.map(read, (r) => r.loaded),
      modify,
      runLock: (name) =>
        lockFile(join(dirname(path), `${name}.lock`)).pipe(
          Effect.mapError((e) => new StateFileError({ path, reason: "NotWritable", message: e.message }))
        )
    }
  })

export const layer = (path: string, options: StateStoreOptions = {}): Layer.Layer<StateStore> => Layer.effect(StateStore, make(path, options))
