/** Whole-file writes that readers and crashes see as old or new, never half of one. */
import { randomBytes } from "node:crypto"
import { chmod, mkdir, open, rename, rm } from "node:fs/promises"
import { basename, dirname, join } from "node:path"

/** fsync a directory so a rename in it survives a power cut; not every platform can, and the rename is atomic anyway. */
export const fsyncDir = async (dir: string): Promise<void> => {
  try {
    const fh = await open(dir, "r")
    try {
      await fh.sync()
    } finally {
      await fh.close()
    }
  } catch {
    // see above
  }
}

/** temp file beside the target (created with `mode`, whatever the umask), fsync, rename, fsync the directory. */
export const writeFileAtomic = async (path: string, text: string, mode = 0o644): Promise<void> => {
  const dir = dirname(path)
  await mkdir(dir, { recursive: true })
  const tmp = join(dir, `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`)
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
  await fsyncDir(dir)
}
