/**
 * Whole-file writes and symlink switches that readers and crashes see as old or new, never half of one, and
 * the small durable file-system steps they are made of (plain async; services wrap them into Effects).
 */
import { randomBytes } from "node:crypto"
import { chmodSync, closeSync, constants, fchmodSync, fstatSync, fsync, mkdirSync, openSync, readFileSync, renameSync, rmSync, type Stats, statSync, writeFileSync } from "node:fs"
import { lstat, open, readFile, readlink, rename, rm, stat, symlink } from "node:fs/promises"
import { basename, dirname, join } from "node:path"
import { notRegular } from "./Fingerprint.js"

/**
 * One of the agent's own files (state, audit, lock, token, config) is a FIFO, socket, device or directory
 * (issue 24 row 4): refused at once, naming the path, rather than opened for a read that would block for
 * ever (and keep a lock held while it did).
 */
export class NotRegularFile extends Error {
  readonly code = "ENOTREG"
  constructor(readonly path: string, readonly why: string) {
    super(`${path} is ${why}, not a regular file; the agent's own files must be regular files: move it away`)
    this.name = "NotRegularFile"
  }
}

/** Why an own file could not be opened: NotRegularFile for a FIFO, socket, device, directory or loop, else `e`. */
const refusedOpen = (path: string, e: unknown): unknown => {
  const code = errno(e)
  // A FIFO opened for writing without a reader, a socket, a device without its driver; a directory opened to write.
  if (code === "ENXIO" || code === "EOPNOTSUPP" || code === "ENODEV" || code === "EISDIR") {
    let why: string | undefined
    try {
      why = notRegular(statSync(path))
    } catch {
      why = undefined
    }
    return new NotRegularFile(path, why ?? (code === "EISDIR" ? "a directory" : "not a regular file"))
  }
  return code === "ELOOP" ? new NotRegularFile(path, "a symlink loop") : e
}

/**
 * An own file's text, undefined when there is none; never blocks (O_NONBLOCK, then fstat on the descriptor,
 * as `openOwnFd`). `tighten`: a file readable by others is chmod'ed to this mode first. Synchronous calls:
 * these files are a few KiB, and the same read through the thread pool (FileHandle open, stat, readFile,
 * close) cost ~10x the CPU; the daemon reads several of them every minute (issue 22).
 */
export const readOwnText = (path: string, tighten?: number): string | undefined => readOwnWithStats(path, tighten)?.text

/**
 * Opens one of the agent's own files, never blocking: O_NONBLOCK (a FIFO without a writer would otherwise
 * block the open itself), then fstat on the descriptor that will be used; the caller closes it. ENOENT is
 * thrown (with O_CREAT, rare). Synchronous, as every own-file step here but the fsyncs (`readOwnText`).
 */
export const openOwnFd = (path: string, flags: number, mode = 0o600): number => {
  let fd: number
  try {
    fd = openSync(path, flags | constants.O_NONBLOCK, mode)
  } catch (e) {
    throw refusedOpen(path, e)
  }
  try {
    const why = notRegular(fstatSync(fd))
    if (why !== undefined) throw new NotRegularFile(path, why)
    return fd
  } catch (e) {
    closeSync(fd)
    throw e
  }
}

/** `readOwnText`, undefined also when the file cannot be read: for callers to which that is the same as none. */
export const readOwnTextIfReadable = (path: string, tighten?: number): string | undefined => {
  try {
    return readOwnText(path, tighten)
  } catch {
    return undefined
  }
}

/** `readOwnText` with the fstat of the descriptor it was read from. */
export const readOwnWithStats = (path: string, tighten?: number): { readonly text: string; readonly stats: Stats } | undefined => {
  let fd: number
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (e) {
    if (errno(e) === "ENOENT") return undefined
    throw refusedOpen(path, e)
  }
  try {
    const s = fstatSync(fd)
    const why = notRegular(s)
    if (why !== undefined) throw new NotRegularFile(path, why)
    if (tighten !== undefined && (s.mode & 0o077) !== 0) {
      try {
        fchmodSync(fd, tighten)
      } catch {
        // Not ours to change (another owner): read it all the same.
      }
    }
    return { text: readFileSync(fd, "utf8"), stats: s }
  } finally {
    closeSync(fd)
  }
}

/** The first of `paths` that exists and is not a regular file (symlinks followed), or undefined. Never opens. */
export const firstIrregular = async (paths: ReadonlyArray<string>): Promise<NotRegularFile | undefined> => {
  for (const p of paths) {
    try {
      const why = notRegular(await stat(p))
      if (why !== undefined) return new NotRegularFile(p, why)
    } catch (e) {
      if (errno(e) === "ELOOP") return new NotRegularFile(p, "a symlink loop")
    }
  }
  return undefined
}

/** fsync(2) on a descriptor, off the main thread (on flash storage it can take a while). */
const fsyncFd = (fd: number): Promise<void> => new Promise((ok, fail) => fsync(fd, (e) => (e === null ? ok() : fail(e))))

/**
 * temp file beside the target (created with `mode`, whatever the umask), fsync, rename, fsync the directory.
 * The steps are synchronous calls but for the two fsyncs: the state file is written every minute with alerts,
 * and each step through the thread pool cost several times the CPU (issue 22).
 */
export const writeFileAtomic = async (path: string, text: string, mode = 0o644): Promise<void> => {
  const dir = dirname(path)
  mkdirSync(dir, { recursive: true })
  const tmp = tmpName(path)
  try {
    const fd = openSync(tmp, "wx", mode)
    try {
      writeFileSync(fd, text)
      await fsyncFd(fd)
    } finally {
      closeSync(fd)
    }
    chmodSync(tmp, mode)
    renameSync(tmp, path)
  } catch (e) {
    rmSync(tmp, { force: true })
    throw e
  }
  await fsyncPath(dir)
}

export const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | undefined)?.code

const CAUSES: Readonly<Record<string, string>> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOENT: "no such file or directory",
  ENOTDIR: "a parent is not a directory",
  EISDIR: "it is a directory",
  EIO: "input/output error",
  EMFILE: "too many open files"
}

/** A file-system failure in words an operator can act on, with its code (`no space left on the device (ENOSPC)`). */
export const fsCause = (e: unknown): string => {
  if (e instanceof NotRegularFile) return e.message
  const c = errno(e)
  if (c === undefined) return (e instanceof Error ? e.message : String(e)).split("\n")[0]!
  return CAUSES[c] === undefined ? c : `${CAUSES[c]} (${c})`
}

export const exists = async (p: string): Promise<boolean> => {
  try {
    await lstat(p)
    return true
  } catch (e) {
    if (errno(e) === "ENOENT") return false
    throw e
  }
}

export const readIfExists = async (p: string): Promise<Buffer | undefined> => {
  try {
    return await readFile(p)
  } catch (e) {
    if (errno(e) === "ENOENT" || errno(e) === "ENOTDIR") return undefined
    throw e
  }
}

/** fsync a file, or a directory so a rename in it survives a power cut (where the platform can). */
export const fsyncPath = async (p: string): Promise<void> => {
  const fd = openSync(p, "r")
  try {
    await fsyncFd(fd)
  } catch (e) {
    // Some systems refuse fsync on a directory descriptor; the rename is still atomic.
    if (errno(e) !== "EINVAL" && errno(e) !== "EISDIR" && errno(e) !== "EBADF") throw e
  } finally {
    closeSync(fd)
  }
}

export const writeDurable = async (p: string, data: string | Buffer): Promise<void> => {
  const fh = await open(p, "w", 0o644)
  try {
    await fh.writeFile(data)
    await fh.sync()
  } finally {
    await fh.close()
  }
}

export const tmpName = (p: string) => join(dirname(p), `.${basename(p)}.etpro-tmp-${randomBytes(4).toString("hex")}`)

/** Makes `link` a symlink to `target`, replacing whatever file was there in one rename. */
export const ensureLink = async (link: string, target: string): Promise<void> => {
  try {
    const st = await lstat(link)
    if (st.isSymbolicLink() && (await readlink(link)) === target) return
    if (st.isDirectory()) throw new Error(`${link} is a directory`)
  } catch (e) {
    if (errno(e) !== "ENOENT") throw e
  }
  await replaceWithLink(link, target)
}

/** Makes `link` a symlink to `target` in one rename(2): readers see the old file or the new link, never neither. */
export const replaceWithLink = async (link: string, target: string): Promise<void> => {
  const tmp = tmpName(link)
  await symlink(target, tmp)
  try {
    await rename(tmp, link)
  } catch (e) {
    await rm(tmp, { force: true })
    throw e
  }
}
