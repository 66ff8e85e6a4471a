/**
 * A tiny file system to fill up, for ENOSPC tests (issue 15, rows 2, 3, 17): a child process runs in a mount
 * namespace of its own (`unshare -rm`) where a tmpfs of a few pages is mounted on a temp directory, so the
 * rest of the machine never sees it. Needs unshare and user namespaces (or root); `fullDiskUnavailable` says
 * why not when the machine cannot, and the tests print it and skip.
 */
import { execFileSync, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const CHILD = join(import.meta.dirname, "fullDiskChild.ts")
const MOUNT = 'mount -t tmpfs -o size="$1"k tmpfs "$2" && shift 2 && exec "$@"'

const probe = (): string | undefined => {
  const dir = mkdtempSync(join(tmpdir(), "etpro-tmpfs-probe-"))
  try {
    execFileSync("unshare", ["-rm", "sh", "-c", MOUNT, "sh", "4", dir, "true"], { stdio: "pipe", timeout: 10_000 })
    return undefined
  } catch (e) {
    return `no private tmpfs here (unshare -rm + mount failed: ${String((e as Error).message).split("\n")[0]})`
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export const fullDiskUnavailable: string | undefined = process.platform === "linux" ? probe() : `not Linux (${process.platform})`
if (fullDiskUnavailable !== undefined) console.warn(`full-disk tests skipped: ${fullDiskUnavailable}`)

/** Runs test/support/fullDiskChild.ts `mode` on a fresh tmpfs of `sizeKiB`; resolves with its JSON report. */
export const onTinyTmpfs = <A>(sizeKiB: number, mode: string): Promise<A> => {
  const dir = mkdtempSync(join(tmpdir(), "etpro-tmpfs-"))
  return new Promise<A>((resolve, reject) => {
    const child = spawn("unshare", ["-rm", "sh", "-c", MOUNT, "sh", String(sizeKiB), dir, process.execPath, "--import", "tsx", CHILD, mode, dir], {
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 60_000
    })
    let out = ""
    let err = ""
    child.stdout.on("data", (d: Buffer) => (out += d.toString()))
    child.stderr.on("data", (d: Buffer) => (err += d.toString()))
    child.on("error", reject)
    child.on("exit", (code) => {
      rmSync(dir, { recursive: true, force: true })
      if (code !== 0) reject(new Error(`full-disk child ${mode} exited ${code}: ${err}`))
      else resolve(JSON.parse(out) as A)
    })
  })
}
