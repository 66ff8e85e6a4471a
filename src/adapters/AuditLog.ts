/**
 * The audit file of acknowledged bodies (issue 13: what left the machine, on record). A service: the live
 * layer appends one write per checkpoint (buffered by the caller) to a file created 0600 and rotated to
 * `<file>.1` when the next write would pass the cap (so at most two files); the test layer keeps the lines
 * in memory with the same rotation.
 */
import { Context, Data, Effect, Layer } from "effect"
import { closeSync, constants, fchmodSync, fstatSync, renameSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { AUDIT_CAP_BYTES } from "../domain/AuditRecord.js"
import { AUDIT_FILE } from "../domain/Paths.js"
import { fsCause, NotRegularFile, openOwnFd, readOwnText } from "./AtomicFile.js"

export class AuditError extends Data.TaggedError("AuditError")<{ readonly path: string; readonly message: string }> {}

export interface AuditLogService {
  /** Where the record is kept, for messages. */
  readonly path: string
  /** Appends audit lines (without newlines), rotating first when the cap would be passed. */
  readonly append: (lines: ReadonlyArray<string>) => Effect.Effect<void, AuditError>
  /**
   * Every line kept, oldest first (the rotated file, then the current one); none when there is no record.
   * Fails at once when a path holds a FIFO or the like (issue 24 row 4), or cannot be read.
   */
  readonly read: Effect.Effect<ReadonlyArray<string>, AuditError>
}

export class AuditLog extends Context.Tag("etpro/AuditLog")<AuditLog, AuditLogService>() {}

/** The audit file of bodies sent sits beside the state file (so `--root` and `--state` move it too). */
export const auditPath = (statePath: string): string => join(dirname(statePath), AUDIT_FILE)

const textOf = (lines: ReadonlyArray<string>) => lines.join("\n") + "\n"

export const make = (path: string, capBytes = AUDIT_CAP_BYTES): AuditLogService => ({
  path,
  append: (lines) =>
    Effect.tryPromise({
      try: async () => {
        if (lines.length === 0) return
        const text = textOf(lines)
        // Opened without blocking and only as a regular file: a FIFO here would hang every run (issue 24 row 4).
        // Synchronous calls (one append a checkpoint write, no fsync): through the thread pool the same steps
        // cost several times the CPU (issue 22).
        const append = () => openOwnFd(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600)
        let fd = append()
        const size = fstatSync(fd).size
        if (size > 0 && size + Buffer.byteLength(text) > capBytes) {
          closeSync(fd)
          renameSync(path, `${path}.1`)
          fd = append()
        }
        try {
          writeFileSync(fd, text)
          // The creation mode applies only to a new file; an existing one keeps whatever it had.
          fchmodSync(fd, 0o600)
        } finally {
          closeSync(fd)
        }
      },
      catch: (e) => new AuditError({ path, message: e instanceof NotRegularFile ? `audit file ${e.message}` : `audit file ${path} not written: ${fsCause(e)}` })
    }),
  read: Effect.try({
    try: () => ((readOwnText(`${path}.1`) ?? "") + (readOwnText(path) ?? "")).split("\n").filter((l) => l !== ""),
    catch: (e) => new AuditError({ path, message: e instanceof NotRegularFile ? `audit file ${e.message}` : `audit file ${path} not read: ${fsCause(e)}` })
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
