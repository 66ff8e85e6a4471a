/**
 * The eve log source: which files make up a log (eve.json and its rotated siblings, oldest first), each
 * file's identity (./Fingerprint.ts), and a streaming read of one file from a byte offset, in complete
 * lines, with bounded memory. Only regular files are logs: a FIFO, socket, device, directory or symlink
 * loop under an eve name is listed as skipped (with why) and never opened for a blocking read, so one bad
 * sibling never keeps `eve.json` from being read (issue 15, rows 4 and 16).
 */
import { Context, Data, Effect, Layer, Option, Stream } from "effect"
import { closeSync, fstatSync, readdirSync, readSync, statSync } from "node:fs"
import { basename, join } from "node:path"
import type { ObservedFile } from "../domain/Checkpoint.js"
import { orderRotated } from "../domain/EveFileNames.js"
import { fsCause } from "./AtomicFile.js"
import { fingerprintOf, NotALogFile, notRegular, observeFile, openLogFile } from "./Fingerprint.js"
import { type LineBatch, LineSplitter } from "./LineSplitter.js"

export class EveLogError extends Data.TaggedError("EveLogError")<{
  readonly path: string
  readonly reason: "NotFound" | "NotReadable" | "NotALog"
  readonly message: string
}> {}

export interface EveFile {
  readonly path: string
  readonly size: number
  readonly dev: number
  readonly ino: number
}

export interface ReadOptions {
  readonly start: number
  readonly prefilter?: string | undefined
  /** Lines longer than this are counted as bad and skipped [1 MiB]. */
  readonly maxLineBytes?: number
  readonly chunkBytes?: number
  /**
   * The file the caller planned to read: if the path holds another one when it is opened (rotated since it
   * was observed), nothing is read, since reading another file from this one's offset would skip its start.
   */
  readonly expect?: { readonly dev: number; readonly ino: number; readonly fingerprint: string } | undefined
}

export const MAX_LINE_BYTES = 1024 * 1024
const CHUNK_BYTES = 1024 * 1024
const MIN_CHUNK_BYTES = 64 * 1024

/** An eve-named entry that is not a log, and why (`a FIFO, not a log file`). */
export interface SkippedFile {
  readonly path: string
  readonly why: string
}

export interface EveListing {
  readonly files: ReadonlyArray<EveFile>
  readonly skipped: ReadonlyArray<SkippedFile>
}

const describe = (path: string, e: unknown): EveLogError => {
  const code = (e as NodeJS.ErrnoException).code
  if (e instanceof NotALogFile) return new EveLogError({ path, reason: "NotALog", message: e.message })
  if (code === "ELOOP") return new EveLogError({ path, reason: "NotALog", message: `${path} is a symlink loop, not a log file` })
  return code === "ENOENT"
    ? new EveLogError({ path, reason: "NotFound", message: `log path ${path} does not exist` })
    : new EveLogError({ path, reason: "NotReadable", message: `cannot read ${path}: ${fsCause(e)}` })
}

/** One entry of a log directory: a log file, skipped (with why), or gone (rotated away since readdir). */
const entry = (path: string): EveFile | SkippedFile | undefined => {
  try {
    const s = statSync(path)
    const why = notRegular(s)
    return why === undefined ? { path, size: s.size, dev: s.dev, ino: s.ino } : { path, why: `${why}, not a log file` }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === "ENOENT") return undefined
    return { path, why: code === "ELOOP" ? "a symlink loop, not a log file" : `cannot be read: ${fsCause(e)}` }
  }
}

export interface EveLogService {
  /** A directory gives its eve.json and rotated siblings, oldest first; a file gives itself. */
  readonly files: (path: string) => Effect.Effect<ReadonlyArray<EveFile>, EveLogError>
  /** As `files`, with the eve-named entries that are not log files, for the caller to report once. */
  readonly list: (path: string) => Effect.Effect<EveListing, EveLogError>
  /** A file's identity and size now (one descriptor); undefined when it is gone or no longer a log file. */
  readonly observe: (path: string) => Effect.Effect<ObservedFile | undefined, EveLogError>
  /** Complete lines from `start`, a batch per chunk read; none when the path no longer holds `opts.expect`. */
  readonly read: (path: string, opts: ReadOptions) => Stream.Stream<LineBatch, EveLogError>
}

export class EveLog extends Context.Tag("etpro/EveLog")<EveLog, EveLogService>() {}

// The listing is synchronous calls (stat, readdir, a stat an entry): asked every minute by `run` (twice with
// alerts), and through the thread pool each cost several times the CPU (issue 22).
const list = (path: string): Effect.Effect<EveListing, EveLogError> =>
  Effect.gen(function* () {
    const s = yield* Effect.try({ try: () => statSync(path), catch: (e) => describe(path, e) })
    if (!s.isDirectory()) {
      // Named by the operator: a FIFO or the like is a usage error, not something to skip.
      const why = notRegular(s)
      if (why !== undefined) return yield* new EveLogError({ path, reason: "NotALog", message: `${path} is ${why}, not a log file` })
      return { files: [{ path, size: s.size, dev: s.dev, ino: s.ino }], skipped: [] }
    }
    const names = yield* Effect.try({ try: () => readdirSync(path), catch: (e) => describe(path, e) })
    const entries = orderRotated(names).map((n) => entry(join(path, n)))
    return {
      files: entries.filter((x): x is EveFile => x !== undefined && "size" in x),
      skipped: entries.filter((x): x is SkippedFile => x !== undefined && "why" in x)
    }
  })

export const make = (): EveLogService => ({
  files: (path) => Effect.map(list(path), (l) => l.files),
  list,
  observe: (path) =>
    Effect.try({ try: () => observeFile(path), catch: (e) => e }).pipe(
      Effect.catchAll((e) => (e instanceof NotALogFile ? Effect.succeed(undefined) : Effect.fail(describe(path, e))))
    ),

  read: (path, opts) =>
    Stream.unwrapScoped(
      Effect.gen(function* () {
        // Synchronous reads on one descriptor (page-cache reads of at most a chunk): through the thread pool
        // each step cost several times the CPU, and the daemon reads every minute (issue 22).
        const { fd, stats } = yield* Effect.acquireRelease(
          Effect.try({
            try: () => {
              const o = openLogFile(path)
              if (o === undefined) throw Object.assign(new Error(path), { code: "ENOENT" })
              return o
            },
            catch: (e) => describe(path, e)
          }),
          (o) => Effect.sync(() => closeSync(o.fd))
        )
        // Judged on the descriptor that will be read: a check by path before the open can be outrun by a rename.
        // Its first line is judged after each read, below.
        const want = opts.expect
        if (want !== undefined && (stats.dev !== want.dev || stats.ino !== want.ino)) return Stream.empty
        const splitter = new LineSplitter({
          start: opts.start,
          maxLineBytes: opts.maxLineBytes ?? MAX_LINE_BYTES,
          prefilter: opts.prefilter
        })
        // One read buffer for the whole file: the splitter copies what it keeps, so memory stays bounded
        // (a fresh 1 MiB buffer a chunk left hundreds of MB for the GC to find on large logs). No larger than
        // what there is to read (at least 64 KiB): a daemon's minute is some 100 KiB of eve, not 1 MiB.
        const chunkBytes = Math.min(opts.chunkBytes ?? CHUNK_BYTES, Math.max(MIN_CHUNK_BYTES, stats.size - opts.start))
        const chunk = Buffer.allocUnsafe(chunkBytes)
        let pos = opts.start
        const next = Effect.try({
          try: () => {
            const bytesRead = readSync(fd, chunk, 0, chunkBytes, pos)
            // Another first line than planned (rewritten before the open, or truncated and written again since:
            // a copytruncate while a backlog is read) means this offset holds another stream's middle: the end
            // of this one. Judged after each read, so a chunk read before the truncation is kept and one that
            // may hold the new content is not; the next run reads the new stream from its start. A 4 KiB read
            // and a hash a chunk.
            return bytesRead > 0 && want !== undefined && fingerprintOf(fd, fstatSync(fd)) !== want.fingerprint ? 0 : bytesRead
          },
          catch: (e) => Option.some(describe(path, e))
        }).pipe(
          Effect.flatMap((bytesRead) => {
            if (bytesRead === 0) return Effect.fail(Option.none())
            pos += bytesRead
            return Effect.succeed(splitter.push(chunk.subarray(0, bytesRead)))
          })
        )
        return Stream.repeatEffectOption(next).pipe(Stream.filter((b) => b.lineCount > 0 || b.lines.length > 0 || b.nulBytes > 0))
      })
    )
})

export const layer = Layer.sync(EveLog, make)

/** Used by messages: `eve.json.1` rather than the whole path. */
export const displayName = (path: string): string => basename(path)
