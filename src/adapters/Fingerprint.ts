/**
 * A file's identity for the checkpoint (SPEC section 4): sha-256 of its first line, as Vector does, so a
 * renamed or copied log is recognised by content. Size, device, inode and first line all come from one open
 * file descriptor, so a rename racing the look (logrotate) can never pair one file's inode with another's
 * first line. Plain Node (no Effect), shared by send-events and its start-up fast path.
 */
import { createHash } from "node:crypto"
import { type FileHandle, open } from "node:fs/promises"

const SHORT = 4096
/** A first line longer than a bad line's limit: the file is named by device and inode instead. */
const LONG = 1024 * 1024 + 2

export interface Observed {
  readonly path: string
  readonly size: number
  readonly dev: number
  readonly ino: number
  /** Undefined while the file has no complete first line (nothing to read in it yet). */
  readonly fingerprint: string | undefined
}

const firstLine = async (fh: FileHandle, max: number): Promise<Buffer | undefined> => {
  const buf = Buffer.allocUnsafe(max)
  const { bytesRead } = await fh.read(buf, 0, max, 0)
  const nl = buf.subarray(0, bytesRead).indexOf(10)
  return nl < 0 ? undefined : buf.subarray(0, nl)
}

/** The file at `path` now; undefined when there is none (rotated away). */
export const observeFile = async (path: string): Promise<Observed | undefined> => {
  let fh: FileHandle
  try {
    fh = await open(path, "r")
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw e
  }
  try {
    const s = await fh.stat()
    let line = await firstLine(fh, SHORT)
    if (line === undefined && s.size > SHORT) line = await firstLine(fh, LONG)
    const fingerprint = line !== undefined
      ? createHash("sha256").update(line).digest("hex").slice(0, 32)
      : s.size > LONG
        ? `inode:${s.dev}:${s.ino}`
        : undefined
    return { path, size: s.size, dev: s.dev, ino: s.ino, fingerprint }
  } finally {
    await fh.close()
  }
}

/** The fingerprint of the file at `f.path` (for callers that have stat'ed it themselves). */
export const fingerprintFile = async (f: { path: string }): Promise<string | undefined> =>
  (await observeFile(f.path))?.fingerprint
