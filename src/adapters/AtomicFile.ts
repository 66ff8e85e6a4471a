/**
 * Whole-file writes and symlink switches that readers and crashes see as old or new, never half of one, and
 * the small durable file-system steps they are made of (plain async; services wrap them into Effects).
 */
import { randomBytes } from "node:crypto"
import { chmod, type FileHandle, lstat, mkdir, open, readFile, readlink, rename, rm, symlink } from "node:fs/promises"
import { basename, dirname, join } from "node:path"

/** temp file beside the target (created with `mode`, whatever the umask), fsync, rename, fsync the directory. */
export const writeFileAtomic = async (path: string, text: string, mode = 0o644): Promise<void> => {
  const dir = dirname(path)
  await mkdir(dir, { recursive: true })
  const tmp = tmpName(path)
  try {
    const fh = await open(tmp, "wx", mode)
    try {
      await fh.writeFile(text)
      await fh.sync()
    } finally {
      await fh.close()
    }
    await chmod(tmp, mode)
    await rename(tmp, path)
  } catch (e) {
    await rm(tmp, { force: true })
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

/** `use` on the file opened for reading, closed after; undefined when there is no file. */
export const withFileIfExists = async <A>(p: string, use: (fh: FileHandle) => Promise<A>): Promise<A | undefined> => {
  let fh: FileHandle
  try {
    fh = await open(p, "r")
  } catch (e) {
    if (errno(e) === "ENOENT") return undefined
    throw e
  }
  try {
    return await use(fh)
  } finally {
    await fh.close()
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
  const fh = await open(p, "r")
  try {
    await fh.sync()
  } catch (e) {
    // Some systems refuse fsync on a directory descriptor; the rename is still atomic.
    if (errno(e) !== "EINVAL" && errno(e) !== "EISDIR" && errno(e) !== "EBADF") throw e
  } finally {
    await fh.close()
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
