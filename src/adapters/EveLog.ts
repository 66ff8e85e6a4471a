/**
 * Reading eve logs: which files make up a log (eve.json and its rotated siblings, oldest first) and a
 * streaming read of one file from a byte offset, in complete lines, with bounded memory.
 */
import { Context, Data, Effect, Layer, Option, Stream } from "effect"
import { open, readdir, stat } from "node:fs/promises"
import { basename, join } from "node:path"
import { orderRotated } from "../domain/EveFileNames.js"
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
}

export const MAX_LINE_BYTES = 1024 * 1024
const CHUNK_BYTES = 1024 * 1024

const describe = (path: string, e: unknown): EveLogError => {
  const code = (e as NodeJS.ErrnoException).code
  return code === "ENOENT"
    ? new EveLogError({ path, reason: "NotFound", message: `log path ${path} does not exist` })
    : new EveLogError({ path, reason: "NotReadable", message: `cannot read ${path} (${code ?? String(e)})` })
}

const fileInfo = (path: string) =>
  Effect.tryPromise({ try: () => stat(path), catch: (e) => describe(path, e) }).pipe(
    Effect.map((s): EveFile => ({ path, size: s.size, dev: s.dev, ino: s.ino }))
  )

export interface EveLogService {
  /** A directory gives its eve.json and rotated siblings, oldest first; a file gives itself. */
  readonly files: (path: string) => Effect.Effect<ReadonlyArray<EveFile>, EveLogError>
  /** Complete lines from `start`, a batch per chunk read. */
  readonly read: (path: string, opts: ReadOptions) => Stream.Stream<LineBatch, EveLogError>
  /** The first line of a file (up to `max` bytes), for fingerprinting; undefined while it has none. */
  readonly firstLine: (path: string, max?: number) => Effect.Effect<Buffer | undefined, EveLogError>
}

export class EveLog extends Context.Tag("etpro/EveLog")<EveLog, EveLogService>() {}

export const make = (): EveLogService => ({
  files: (path) =>
    Effect.gen(function* () {
      const s = yield* Effect.tryPromise({ try: () => stat(path), catch: (e) => describe(path, e) })
      if (!s.isDirectory()) return [yield* fileInfo(path)]
      const names = yield* Effect.tryPromise({ try: () => readdir(path), catch: (e) => describe(path, e) })
      const ordered = orderRotated(names)
      // A file can vanish between readdir and stat (rotation): skip it.
      const infos = yield* Effect.forEach(ordered, (n) => Effect.option(fileInfo(join(path, n))))
      return infos.flatMap((o) => (Option.isSome(o) ? [o.value] : []))
    }),

  read: (path, opts) =>
    Stream.unwrapScoped(
      Effect.gen(function* () {
        const fh = yield* Effect.acquireRelease(
          Effect.tryPromise({ try: () => open(path, "r"), catch: (e) => describe(path, e) }),
          (h) => Effect.promise(() => h.close())
        )
        const splitter = new LineSplitter({
          start: opts.start,
          maxLineBytes: opts.maxLineBytes ?? MAX_LINE_BYTES,
          prefilter: opts.prefilter
        })
        const chunkBytes = opts.chunkBytes ?? CHUNK_BYTES
        // One read buffer for the whole file: the splitter copies what it keeps, so memory stays bounded
        // (a fresh 1 MiB buffer a chunk left hundreds of MB for the GC to find on large logs).
        const chunk = Buffer.allocUnsafe(chunkBytes)
        let pos = opts.start
        const next = Effect.tryPromise({
          try: () => fh.read(chunk, 0, chunkBytes, pos),
          catch: (e) => Option.some(describe(path, e))
        }).pipe(
          Effect.flatMap(({ bytesRead, buffer }) => {
            if (bytesRead === 0) return Effect.fail(Option.none())
            pos += bytesRead
            return Effect.succeed(splitter.push(buffer.subarray(0, bytesRead)))
          })
        )
        return Stream.repeatEffectOption(next).pipe(Stream.filter((b) => b.lineCount > 0 || b.lines.length > 0))
      })
    ),

  firstLine: (path, max = 64 * 1024) =>
    Effect.tryPromise({
      try: async () => {
        const fh = await open(path, "r")
        try {
          const buf = Buffer.allocUnsafe(max)
          const { bytesRead } = await fh.read(buf, 0, max, 0)
          const nl = buf.subarray(0, bytesRead).indexOf(10)
          return nl < 0 ? undefined : Buffer.from(buf.subarray(0, nl))
        } finally {
          await fh.close()
        }
      },
      catch: (e) => describe(path, e)
    })
})

export const layer = Layer.sync(EveLog, make)

/** Used by messages: `eve.json.1` rather than the whole path. */
export const displayName = (path: string): string => basename(path)
