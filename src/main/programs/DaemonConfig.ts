/**
 * The `run` daemon's configuration (issue 24 row 7): the token, HOME_NET and the telemetry SID list, read
 * and checked together. The daemon keeps the last good one. Each task run still reads the files afresh (a
 * token changed under the daemon is used at the next tick; a changed HOME_NET masks at once); when that
 * fresh read fails, the run uses the last good configuration instead of failing. SIGHUP re-reads it at
 * once and says in one line what it found, or why the new one is not used (the old one is kept).
 */
import { Effect, Ref } from "effect"
import type { ConfiguredToken } from "../../adapters/Credentials.js"
import { line } from "../Failure.js"
import type { Privacy } from "../Privacy.js"
import { NO_SID } from "../../domain/TelemetrySids.js"

export interface DaemonConfig {
  readonly token: ConfiguredToken
  readonly privacy: Privacy
}

/** How the configuration is read: the same reads the tasks make. */
export interface ConfigSources<R> {
  readonly token: Effect.Effect<ConfiguredToken, { readonly message: string }, R>
  readonly privacy: Effect.Effect<Privacy, unknown, R>
}

const messageOf = (e: unknown): string =>
  typeof e === "object" && e !== null && "message" in e && typeof (e as { message: unknown }).message === "string"
    ? (e as { message: string }).message.split("\n")[0]!
    : String(e)

/** Both parts read and checked, or why not (the first problem). */
export const readDaemonConfig = <R>(src: ConfigSources<R>): Effect.Effect<DaemonConfig, string, R> =>
  Effect.gen(function* () {
    const token = yield* Effect.mapError(src.token, (e) => `token: ${e.message}`)
    const privacy = yield* Effect.mapError(src.privacy, (e) => messageOf(e))
    return { token, privacy }
  })

/** `token from /etc/...; 3 telemetry SIDs; HOME_NET read (1 warning)`: what a configuration holds, never the token. */
export const describeConfig = (c: DaemonConfig): string => {
  const sids = c.privacy.sids === NO_SID ? "no telemetry SID (nothing selected)" : c.privacy.sids.size === 0 ? "every SID (no telemetry_sids.txt)" : `${c.privacy.sids.size} telemetry SIDs`
  const warned = c.privacy.warnings.length === 0 ? "" : ` (${c.privacy.warnings.length} warning${c.privacy.warnings.length === 1 ? "" : "s"}: ${c.privacy.warnings[0]})`
  return `token from ${c.token.source}; ${sids}; HOME_NET read${warned}`
}

/**
 * The SIGHUP handler: reads the configuration, keeps it when good, and logs one line either way. Never
 * fails: a bad configuration leaves the old one in place and the daemon running.
 */
export const reloadDaemonConfig = <R>(
  held: Ref.Ref<DaemonConfig | undefined>,
  src: ConfigSources<R>,
  say: (line: string) => Effect.Effect<void>,
  schedule: string
): Effect.Effect<void, never, R> =>
  Effect.gen(function* () {
    const read = yield* Effect.either(readDaemonConfig(src))
    if (read._tag === "Right") {
      yield* Ref.set(held, read.right)
      return yield* say(line("run", `SIGHUP: configuration re-read: ${describeConfig(read.right)}; ${schedule}`))
    }
    const old = yield* Ref.get(held)
    yield* say(line("run", `SIGHUP: the new configuration is not used (${read.left}); ${old === undefined ? "there is no earlier good one: runs fail until it is fixed" : `keeping the previous one (${describeConfig(old)})`}`))
  }).pipe(Effect.catchAllDefect((d) => say(line("run", `SIGHUP: the configuration could not be re-read (${String(d).split("\n")[0]}); keeping the previous one`))))

/** A task's read: the fresh one, else the last good one (when there is one). */
export const orLastGood = <A, E, R>(fresh: Effect.Effect<A, E, R>, held: Ref.Ref<DaemonConfig | undefined>, pick: (c: DaemonConfig) => A) =>
  Effect.catchAll(fresh, (e) =>
    Effect.flatMap(Ref.get(held), (c) => (c === undefined ? Effect.fail(e) : Effect.succeed(pick(c))))
  )
