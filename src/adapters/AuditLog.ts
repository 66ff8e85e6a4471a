/**
 * The audit file of acknowledged bodies (issue 13: what left the machine, on record). A service: the live
 * layer appends one write per checkpoint (buffered by the caller) to a file created 0600 and rotated to
 * `<file>.1` when the next write would pass the cap (so at most two files); the test layer keeps the lines
 * in memory with the same rotation.
 */
import { Context, Data, Effect, Layer } from "effect"
import { appendFile, chmod, readFile, rename, stat } from "node:fs/promises"
import { dirname, join } from "node:path"
import { AUDIT_CAP_BYTES } from "../domain/AuditRecord.js"

export class AuditError extends Data.TaggedError("AuditError")<{ readonly path: string; readonly message: string }> {}

export interface AuditLogService {
  /** Where the record is kept, for messages. */
  readonly path: string
  /** Appends audit lines (without newlines), rotating first when the cap would be passed. */
  readonly append: (lines: ReadonlyArray<string>) => Effect.Effect<void, AuditError>
  /** Every line kept, oldest first (the rotated file, then the current one); none when there is no record. */
  readonly read: Effect.Effect<ReadonlyArray<string>>
}

export class AuditLog extends Context.Tag("etpro/AuditLog")<AuditLog, AuditLogService>() {}

/** The audit file of bodies sent sits beside the state file (so `--root` and `--state` move it too). */
export const auditPath = (statePath: string): string => join(dirname(statePath), "sent-audit.jsonl")

const textOf = (lines: ReadonlyArray<string>) => lines.join("\n") + "\n"

export const make = (path: string, capBytes = AUDIT_CAP_BYTES): AuditLogService => ({
  path,
  append: (lines) =>
    Effect.tryPromise({
      try: async () => {
        if (lines.length === 0) return
        const text = textOf(lines)
        const size = await stat(path).then((s) => s.size, () => 0)
        if (size > 0 && size + Buffer.byteLength(text) > capBytes) await rename(path, `${path}.1`)
        await appendFile(path, text, { mode: 0o600 })
        // appendFile's mode applies only at creation; an existing file keeps whatever it had.
        await chmod(path, 0o600)
      },
      catch: (e) => new AuditError({ path, message: `audit file ${path} not written: ${(e as NodeJS.ErrnoException).code ?? String(e)}` })
    }),
  read: Effect.promise(async () => {
    const text = (p: string) => readFile(p, "utf8").catch(() => "")
    return ((await text(`${path}.1`)) + (await text(path))).split("\n").filter((l) => l !== "")
  })
})

/** The audit file beside the state file `statePath`. */
export const layer = (statePath: string, capBytes = AUDIT_CAP_BYTES) => Layer.succeed(AuditLog, make(auditPath(statePath), capBytes))

/** In memory, with the live layer's rotation: `files.current` and `files.rotated` can be inspected. */
export interface MemoryAudit {
  current: Array<string>
  rotated: Array<string>
}

export const makeMemory = (files: MemoryAudit, capBytes = AUDIT_CAP_BYTES): AuditLogService => ({
  path: "(memory)",
  append: (lines) =>
    Effect.sync(() => {
      if (lines.length === 0) return
      const size = files.current.length === 0 ? 0 : Buffer.byteLength(textOf(files.current))
      if (size > 0 && size + Buffer.byteLength(textOf(lines)) > capBytes) {
        files.rotated = files.current
        files.current = []
      }
      files.current.push(...lines)
    }),
  read: Effect.sync(() => [...files.rotated, ...files.current])
})

export const layerTest = (files: MemoryAudit = { current: [], rotated: [] }, capBytes = AUDIT_CAP_BYTES) =>
  Layer.succeed(AuditLog, makeMemory(files, capBytes))
