/**
 * A downloaded rules archive, verified member by member (SPEC section 8: gzip, regular files under `rules/`
 * only, size limits) and the enabled categories extracted into a staging directory: all or nothing. The
 * generation store (./RulesStore.ts) installs what this leaves there.
 */
import { Data } from "effect"
import { createReadStream, createWriteStream } from "node:fs"
import { open } from "node:fs/promises"
import { basename, dirname, join } from "node:path"
import { createGunzip } from "node:zlib"
import { Parser, type ReadEntry } from "tar"
import {
  type ArchiveLimits, classifyEntry, GENERATION_RULES, isEnabled, parseVersionFile, type Selection, SIDS_FILE, VERSION_FILE, versionMismatch
} from "../domain/RulesPlan.js"

/**
 * The archive is not one we install: not gzip, corrupt or truncated, an unsafe member, too large, no rules,
 * or another version than the one announced.
 */
export class RulesArchiveError extends Data.TaggedError("RulesArchiveError")<{
  readonly archive: string
  readonly reason: "not-gzip" | "corrupt" | "unsafe" | "too-large" | "empty" | "version"
  readonly message: string
}> {}


export class ArchiveFault extends Error {
  constructor(readonly reason: RulesArchiveError["reason"], message: string) {
    super(message)
  }
}

export interface Extracted {
  readonly categories: ReadonlyArray<string>
  readonly files: ReadonlyArray<string>
  readonly sids: boolean
  /** `rules/telemetry_version.json`'s version, when the archive has one. */
  readonly version?: string | undefined
  /** Bytes decompressed: the work done, bounded by the limits and by the end-of-archive marker. */
  readonly inflatedBytes: number
}

const GZIP_MAGIC = [0x1f, 0x8b]
const PREVIEW_CHARS = 24

/**
 * The start of a body that is not an archive (a proxy's or portal's page), for the message. Where it is cut,
 * a word cut in half is dropped: it could be the start of the token, echoed (the whole token is redacted by
 * the caller, a fragment would not be).
 */
const previewOf = (bytes: Buffer): string => {
  const text = bytes.subarray(0, PREVIEW_CHARS).toString("latin1").replace(/[^\x20-\x7e]/g, ".")
  return bytes.length > PREVIEW_CHARS ? `${text.replace(/[A-Za-z0-9._~+/=-]+$/, "")}…` : text
}

/** After the end-of-archive marker: tar pads to its record size (10 KiB for GNU tar); more is not a ruleset's. */
const MAX_TRAILING_BYTES = 1024 * 1024

/** Headers and padding on top of the members' own bytes: two blocks a member, and the end blocks. */
const inflatedBound = (limits: ArchiveLimits): number => limits.maxTotalBytes + (limits.maxEntries + 2) * 1024

/** A write into the staging directory failed: said as what it is (a full disk), never as a corrupt archive. */
const writeFailure = (dest: string, e: unknown): Error => {
  const code = (e as NodeJS.ErrnoException).code
  const error = new Error(
    code === "ENOSPC"
      ? `no space left on ${dirname(dest)} (writing ${basename(dest)})`
      : `cannot write ${dest} (${code ?? (e as Error).message ?? String(e)})`
  )
  return Object.assign(error, { code })
}

/**
 * Verifies `archive` member by member and writes the selected ones under `staging`; all or nothing. The
 * archive is decompressed here, as it streams, and reading stops as soon as the inflated bytes pass the
 * limits or, after the end-of-archive marker, a record's padding. `announced`: the version the
 * service announced; an archive that says it is another is refused.
 */
export const extract = async (
  archive: string,
  staging: string,
  selection: Selection,
  limits: ArchiveLimits,
  announced?: string,
  /** Counts the bytes inflated as they come, failure or not (tests pin the work done on hostile archives). */
  meter?: { inflated: number }
): Promise<Extracted> => {
  const head = Buffer.alloc(64)
  const fh = await open(archive, "r")
  let got: number
  let size: number
  try {
    got = (await fh.read(head, 0, head.length, 0)).bytesRead
    size = (await fh.stat()).size
  } finally {
    await fh.close()
  }
  if (got < 2 || head[0] !== GZIP_MAGIC[0] || head[1] !== GZIP_MAGIC[1]) {
    const preview = previewOf(head.subarray(0, got))
    throw new ArchiveFault("not-gzip", `not a gzip archive (${got === 0 ? "empty" : `starts with ${JSON.stringify(preview)}`})`)
  }
  if (size > limits.maxArchiveBytes) {
    throw new ArchiveFault("too-large", `${size} bytes, over the ${limits.maxArchiveBytes}-byte limit`)
  }
  const categories: Array<string> = []
  const files: Array<string> = []
  const seen = new Set<string>()
  const writes: Array<Promise<void>> = []
  const outs: Array<ReturnType<typeof createWriteStream>> = []
  const versionChunks: Array<Buffer> = []
  let sids = false
  let hasVersion = false
  let count = 0
  let total = 0
  let inflated = 0
  let fault: Error | undefined

  await new Promise<void>((resolve, reject) => {
    const input = createReadStream(archive)
    const gunzip = createGunzip()
    let settled = false
    const stop = () => {
      input.destroy()
      gunzip.destroy()
    }
    const finish = (err?: unknown) => {
      if (settled) return
      settled = true
      stop()
      // A member cut short never ends its stream: close them all so the failure is reported.
      if (err !== undefined) for (const o of outs) o.destroy()
      void Promise.allSettled(writes).then((rs) => {
        const writeError = rs.find((r): r is PromiseRejectedResult => r.status === "rejected")
        if (err !== undefined) reject(err)
        else if (writeError !== undefined) reject(writeError.reason)
        else resolve()
      })
    }
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry: ReadEntry) => {
        if (fault !== undefined) return void entry.resume()
        const refuse = (reason: RulesArchiveError["reason"], message: string) => {
          fault = new ArchiveFault(reason, message)
          entry.resume()
          parser.abort(fault)
        }
        count++
        total += entry.size
        if (count > limits.maxEntries) return refuse("too-large", `more than ${limits.maxEntries} members`)
        if (total > limits.maxTotalBytes) {
          return refuse("too-large", `members add up to more than ${limits.maxTotalBytes} bytes uncompressed`)
        }
        const verdict = classifyEntry({ path: entry.path, type: entry.type, size: entry.size }, limits)
        if (verdict.kind === "reject") return refuse(verdict.tooLarge === true ? "too-large" : "unsafe", verdict.reason)
        if (verdict.kind === "skip") return void entry.resume()
        if (verdict.kind === "version") {
          if (hasVersion) return refuse("unsafe", `member rules/${VERSION_FILE} appears twice`)
          hasVersion = true
          entry.on("data", (c: Buffer) => void versionChunks.push(c))
          return
        }
        const name = verdict.kind === "sids" ? SIDS_FILE : verdict.name
        if (seen.has(name)) return refuse("unsafe", `member rules/${name} appears twice`)
        seen.add(name)
        let dest: string | undefined
        if (verdict.kind === "sids") {
          sids = true
          dest = join(staging, SIDS_FILE)
        } else {
          categories.push(verdict.category)
          if (isEnabled(selection, verdict.category)) {
            files.push(name)
            dest = join(staging, GENERATION_RULES, name)
          }
        }
        if (dest === undefined) return void entry.resume()
        const target = dest
        const out = createWriteStream(target, { mode: 0o644 })
        outs.push(out)
        writes.push(
          new Promise<void>((res, rej) => {
            out.on("close", () => res())
            out.on("error", (e) => {
              const failure = writeFailure(target, e)
              fault ??= failure
              rej(failure)
              parser.abort(failure)
            })
          })
        )
        entry.pipe(out)
      }
    })
    // The end-of-archive marker: the parser is done. What follows is only inflated to reach the gzip trailer
    // (its CRC covers every member), and only a record's padding of it: junk there is refused, not inflated.
    let ended = false
    let trailing = 0
    parser.on("eof", () => void (ended = true))
    parser.on("error", (e: unknown) =>
      finish(
        fault ??
          (e instanceof ArchiveFault
            ? e
            : new ArchiveFault("corrupt", `corrupt or truncated archive (${(e as Error).message ?? String(e)})`))
      )
    )
    parser.on("close", () => finish())
    input.on("error", (e) => finish(e))
    gunzip.on("error", (e) => finish(new ArchiveFault("corrupt", `corrupt or truncated archive (${e.message})`)))
    let first = true
    gunzip.on("data", (chunk: Buffer) => {
      if (settled) return
      // A gzip inside the gzip would be inflated again by the tar parser, unbounded: not a ruleset.
      if (first && chunk.length >= 2 && chunk[0] === GZIP_MAGIC[0] && chunk[1] === GZIP_MAGIC[1]) {
        return finish(new ArchiveFault("corrupt", "a compressed file inside the gzip, not a tar archive"))
      }
      first = false
      inflated += chunk.length
      if (meter !== undefined) meter.inflated = inflated
      if (ended) {
        trailing += chunk.length
        if (trailing > MAX_TRAILING_BYTES) {
          finish(new ArchiveFault("corrupt", `more than ${MAX_TRAILING_BYTES} bytes after the end-of-archive marker`))
        }
        return
      }
      if (inflated > inflatedBound(limits)) {
        return finish(new ArchiveFault("too-large", `more than ${inflatedBound(limits)} bytes uncompressed`))
      }
      if (!parser.write(chunk)) {
        gunzip.pause()
        parser.once("drain", () => gunzip.resume())
      }
    })
    gunzip.on("end", () => {
      if (!ended) return void parser.end()
      finish()
      parser.abort(new Error("end of archive"))
    })
    input.pipe(gunzip)
  })
  if (fault !== undefined) throw fault
  if (categories.length === 0) throw new ArchiveFault("empty", "no rules/<name>.rules member in the archive")
  const version = hasVersion ? parseVersionFile(Buffer.concat(versionChunks).toString("utf8")) : undefined
  if (hasVersion && version === undefined) throw new ArchiveFault("version", `rules/${VERSION_FILE} holds no version`)
  const mismatch = announced === undefined ? undefined : versionMismatch(announced, version)
  if (mismatch !== undefined) throw new ArchiveFault("version", mismatch)
  return { categories, files, sids, version, inflatedBytes: inflated }
}
