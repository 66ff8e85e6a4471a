/**
 * The release tarball unpacked into a fresh temporary directory (no node_modules anywhere above it), and
 * its commands run with nothing but `node`: cwd in that directory, a PATH holding node and the base tools.
 */
import { existsSync, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { x } from "tar"
import { collect } from "../support/BuiltCli.js"
import { RELEASE_NAME, TARBALL } from "../support/BuiltDist.js"

export const unpackRelease = async (): Promise<{ dir: string; top: string }> => {
  const dir = mkdtempSync(join(tmpdir(), "etpro-release-"))
  for (let d = dir; d !== dirname(d); d = dirname(d)) {
    if (existsSync(join(d, "node_modules"))) throw new Error(`${d}/node_modules exists: the release must run without one`)
  }
  await x({ file: TARBALL, cwd: dir })
  return { dir, top: join(dir, RELEASE_NAME) }
}

/** Only node's own directory and the base system on PATH. */
export const bareEnv = (): Record<string, string> => ({
  PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
  HOME: tmpdir(),
  NO_COLOR: "1"
})

export const run = (command: string, args: ReadonlyArray<string>, cwd: string, timeoutMs = 30_000) =>
  collect(command, args, { cwd, env: bareEnv() }, timeoutMs)
