/**
 * A file's identity for the checkpoint (SPEC section 4): sha-256 of its first line, as Vector does, so a
 * renamed or copied log is recognised by content. Plain Node (no Effect), shared by send-events and its
 * start-up fast path so both name files the same way.
 */
import { createHash } from "node:crypto"
import { open } from "node:fs/promises"

const SHORT = 4096
/** A first line longer than a bad line's limit: the file is named by device and inode instead. */
const LONG = 1024 * 1024 + 2

const firstLine = async (path: string, max: number): Promise<Buffer | undefined> => {
  const fh = await open(path, "r")
  try {
    const buf = Buffer.allocUnsafe(max)
    const { bytesRead } = await fh.read(buf, 0, max, 0)
    const nl = buf.subarray(0, bytesRead).indexOf(10)
    return nl < 0 ? undefined : buf.subarray(0, nl)
  } finally {
    await fh.close()
  }
}

/** Undefined while the file has no complete first line (nothing to read in it yet). */
export const fingerprintFile = async (f: { path: string; size: number; dev: number; ino: number }): Promise<string | undefined> => {
  let line = await firstLine(f.path, SHORT)
  if (line === undefined && f.size > SHORT) line = await firstLine(f.path, LONG)
  if (line !== undefined) return createHash("sha256").update(line).digest("hex").slice(0, 32)
  return f.size > LONG ? `inode:${f.dev}:${f.ino}` : undefined
}
