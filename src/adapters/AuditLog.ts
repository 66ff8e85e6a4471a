/**
 * The audit file of acknowledged bodies: appended in one write per checkpoint (buffered by the caller),
 * created 0600, rotated to `<file>.1` when the next write would pass the cap (so at most two files).
 */
import { Effect } from "effect"
import { appendFile, chmod, readFile, rename, stat } from "node:fs/promises"
import { dirname, join } from "node:path"
import { AUDIT_CAP_BYTES } from "../domain/AuditRecord.js"

export class AuditError extends Error {}

/** The audit file of bodies sent sits beside the state file (so `--root` and `--state` move it too). */
export const auditPath = (statePath: string): string => join(dirname(statePath), "sent-audit.jsonl")

/** Appends `lines` (without newlines) to `path`, rotating first when the cap would be passed. */
export const appendAudit = (path: string, lines: ReadonlyArray<string>, capBytes = AUDIT_CAP_BYTES) =>
  Effect.tryPromise({
    try: async () => {
      if (lines.length === 0) return
      const text = lines.join("\n") + "\n"
      const size = await stat(path).then((s) => s.size, () => 0)
      if (size > 0 && size + Buffer.byteLength(text) > capBytes) await rename(path, `${path}.1`)
      await appendFile(path, text, { mode: 0o600 })
      // appendFile's mode applies only at creation; an existing file keeps whatever it had.
      await chmod(path, 0o600)
    },
    catch: (e) => new AuditError(`audit file ${path} not written: ${(e as NodeJS.ErrnoException).code ?? String(e)}`)
  })

/** Every line of the audit file, oldest first (the rotated file, then the current one). */
export const readAudit = (path: string) =>
  Effect.promise(async () => {
    const read = (p: string) => readFile(p, "utf8").catch(() => "")
    const text = (await read(`${path}.1`)) + (await read(path))
    return text.split("\n").filter((l) => l !== "")
  })
