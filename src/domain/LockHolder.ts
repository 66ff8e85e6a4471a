/**
 * Who holds a lock file, and whether that lock still counts (issue 15, rows 3, 6 and 13): liveness, not age.
 * A lock whose holder runs on this host counts exactly as long as that process is alive, whatever the clock
 * says (a clock step or a blocked event loop never breaks a live run's lock); one from another host (a state
 * directory on shared storage) can only be judged by how long ago its holder last touched it. A lock file
 * that does not read as a holder is debris (a crash or a full disk while an older agent created it):
 * lock files are published whole, so it is never one being written.
 */
import { Either, Schema } from "effect"

export const LockHolder = Schema.Struct({
  pid: Schema.Int,
  host: Schema.String,
  /** Tells this taker's lock from a later one by the same pid. */
  nonce: Schema.String
})
export type LockHolder = typeof LockHolder.Type

const decode = Schema.decodeUnknownEither(Schema.parseJson(LockHolder))

/** The holder a lock file names, or undefined when its text is not one (empty, half-written, foreign). */
export const parseHolder = (text: string): LockHolder | undefined => {
  const d = decode(text)
  return Either.isRight(d) ? d.right : undefined
}

export const renderHolder = (h: LockHolder): string => JSON.stringify(h)

export type Verdict =
  | { readonly held: true }
  | { readonly held: false; readonly why: string }

export interface Seen {
  readonly holder: LockHolder | undefined
  /** Epoch ms the holder last touched the file. */
  readonly touchedAt: number
}

export interface Judge {
  readonly host: string
  /** Whether a holder on this host is alive (its process runs, and holds it); asked only for this host. */
  readonly alive: (holder: LockHolder) => boolean
  readonly now: number
  /** How long a lock from another host counts without being touched. */
  readonly foreignStaleMs: number
}

export const judge = (seen: Seen, j: Judge): Verdict => {
  const h = seen.holder
  if (h === undefined) return { held: false, why: "it names no holder (empty or half-written)" }
  if (h.host === j.host) return j.alive(h) ? { held: true } : { held: false, why: `its process ${h.pid} is gone` }
  // Another host: only age is known. A touch "in the future" (a clock stepped back) counts as fresh.
  return j.now - seen.touchedAt > j.foreignStaleMs
    ? { held: false, why: `its holder on ${h.host} has not touched it for over ${Math.round(j.foreignStaleMs / 1000)} s` }
    : { held: true }
}
