/**
 * A file's identity for the checkpoint (SPEC section 4): sha-256 of its first line, as Vector does, so a
 * renamed or copied log is recognised by content. Size, device, inode and first line all come from one open
 * file descriptor, so a rename racing the look (logrotate) can never pair one file's inode with another's
 * first line. Only a regular file is opened for it, and never so that the open could block (a FIFO named
 * eve.json): `openLogFile`, also the eve reader's (./EveLog.ts).
 *
 * Synchronous calls on the descriptor: the daemon looks every minute, and the same few steps through the
 * thread pool (open, fstat, read, close) cost several times the CPU (issue 22).
 */
import { createHash } from "node:crypto"
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs"

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

/** The first line in the first `max` bytes of the file open as `fd`, undefined without a newline there. */
const firstLine = (fd: number, max: number): Buffer | undefined => {
  const buf = Buffer.allocUnsafe(max)
  const bytesRead = readSync(fd, buf, 0, max, 0)
  const nl = buf.subarray(0, bytesRead).indexOf(10)
  return nl < 0 ? undefined : buf.subarray(0, nl)
}

/** What a path that is not a regular file is (an eve log must be one), in words; undefined for a regular file. */
export const notRegular = (s: Stats): string | undefined =>
  s.isFile()
    ? undefined
    : s.isFIFO()
      ? "a FIFO"
      : s.isSocket()
        ? "a socket"
        : s.isCharacterDevice() || s.isBlockDevice()
          ? "a device"
          : s.isDirectory()
            ? "a directory"
            : "not a regular file"

/** A path named like an eve file that is no log: a FIFO, socket, device, directory or symlink loop. */
export class NotALogFile extends Error {
  readonly code = "ENOTLOG"
  constructor(readonly path: string, readonly why: string) {
    super(`${path} is ${why}, not a log file`)
  }
}

/**
 * Opens `path` for reading without ever blocking (a FIFO named eve.json would wait for a writer for ever:
 * O_NONBLOCK, then fstat), and only if it is a regular file; undefined when there is none. The caller closes `fd`.
 */
export const openLogFile = (path: string): { fd: number; stats: Stats } | undefined => {
  let fd: number
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === "ENOENT") return undefined
    // A socket cannot be opened at all; a symlink loop cannot be followed.
    if (code === "ENXIO" || code === "EOPNOTSUPP") throw new NotALogFile(path, "a socket")
    if (code === "ELOOP") throw new NotALogFile(path, "a symlink loop")
    throw e
  }
  try {
    const stats = fstatSync(fd)
    const why = notRegular(stats)
    if (why !== undefined) throw new NotALogFile(path, why)
    return { fd, stats }
  } catch (e) {
    closeSync(fd)
    throw e
  }
}

/** The file at `path` now; undefined when there is none (rotated away). Throws NotALogFile for a FIFO and the like. */
export const observeFile = (path: string): Observed | undefined => {
  const opened = openLogFile(path)
  if (opened === undefined) return undefined
  const { fd, stats: s } = opened
  try {
    return { path, size: s.size, dev: s.dev, ino: s.ino, fingerprint: fingerprintOf(fd, s) }
  } finally {
    closeSync(fd)
  }
}

/** The fingerprint of a log file opened as `fd`, whose fstat is `s`; undefined while it has no complete first line. */
export const fingerprintOf = (fd: number, s: Stats): string | undefined => {
  let line = firstLine(fd, SHORT)
  if (line === undefined && s.size > SHORT) line = firstLine(fd, LONG)
  return line !== undefined
    ? createHash("sha256").update(line).digest("hex").slice(0, 32)
    : s.size > LONG
      ? `inode:${s.dev}:${s.ino}`
      : undefined
}
