/**
 * A downloaded rules archive, verified member by member (SPEC section 8: gzip, regular files under `rules/`
 * only, size limits) and the enabled categories extracted into a staging directory: all or nothing. The
 * generation store (./RulesStore.ts) installs what this leaves there.
 */
import { Data } from "effect"
import { createReadStream, createWriteStream } from "node:fs"
import { open } from "node:fs/promises"
import { join } from "node:path"
import { Parser, type ReadEntry } from "tar"
import { type ArchiveLimits, classifyEntry, GENERATION_RULES, isEnabled, type Selection, SIDS_FILE } from "../domain/RulesPlan.js"

/** The archive is not one we install: not gzip, corrupt or truncated, an unsafe member, too large, no rules. */
export class RulesArchiveError extends Data.TaggedError("RulesArchiveError")<{
  readonly archive: string
  readonly reason: "not-gzip" | "corrupt" | "unsafe" | "too-large" | "empty"
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
}

const GZIP_MAGIC = [0x1f, 0x8b]

/** Verifies `archive` member by member and writes the selected ones under `staging`; all or nothing. */
export const extract = async (
  archive: string,
  staging: string,
  selection: Selection,
  limits: ArchiveLimits
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
    const preview = head.subarray(0, Math.min(got, 24)).toString("latin1").replace(/[^\x20-\x7e]/g, ".")
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
  let sids = false
  let count = 0
  let total = 0
  let fault: ArchiveFault | undefined
  // A member that cannot be written (a full disk) is the store's failure, not a corrupt archive.
  let writeFailure: unknown

  await new Promise<void>((resolve, reject) => {
    const input = createReadStream(archive)
    let settled = false
    const finish = (err?: unknown) => {
      if (settled) return
      settled = true
      input.destroy()
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
        const out = createWriteStream(dest, { mode: 0o644 })
        outs.push(out)
        writes.push(
          new Promise<void>((res, rej) => {
            out.on("close", () => res())
            out.on("error", (e) => {
              writeFailure ??= e
              rej(e)
              parser.abort(e instanceof Error ? e : new Error(String(e)))
            })
          })
        )
        entry.pipe(out)
      }
    })
    parser.on("error", (e: unknown) =>
      finish(
        fault ??
          writeFailure ??
          (e instanceof ArchiveFault
            ? e
            : new ArchiveFault("corrupt", `corrupt or truncated archive (${(e as Error).message ?? String(e)})`))
      )
    )
    parser.on("close", () => finish())
    input.on("error", (e) => finish(e))
    input.pipe(parser)
  })
  if (fault !== undefined) throw fault
  if (categories.length === 0) throw new ArchiveFault("empty", "no rules/<name>.rules member in the archive")
  return { categories, files, sids }
}
