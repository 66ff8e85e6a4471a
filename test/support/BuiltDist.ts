/**
 * The release tarball (`npm run dist`), built once per test run by the global setup, like the CLI bundle:
 * rebuilt only when it is missing or older than anything it is made from.
 */
import { execFile } from "node:child_process"
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { promisify } from "node:util"
import { REPO } from "./BuiltCli.js"

const { version } = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }
export const RELEASE_NAME = `etpro-telemetry-${version}`
export const TARBALL = join(REPO, "release", `${RELEASE_NAME}.tar.gz`)
/** The OPNsense plugin port tree dist writes beside the tarball. */
export const PORT_TREE = join(REPO, "release/security/etpro-telemetry-agent")

const newest = (p: string): number => {
  const s = statSync(p)
  if (!s.isDirectory()) return s.mtimeMs
  return readdirSync(p).reduce((m, e) => Math.max(m, newest(join(p, e))), s.mtimeMs)
}

const INPUTS = ["src", "bin", "contrib", "scripts", "docs/INSTALL.md", "package.json"]

export const ensureDist = async (): Promise<void> => {
  if (existsSync(TARBALL) && existsSync(PORT_TREE) && statSync(TARBALL).mtimeMs >= Math.max(...INPUTS.map((p) => newest(join(REPO, p))))) return
  await promisify(execFile)(process.execPath, [join(REPO, "scripts/dist.mjs")], { cwd: REPO })
}
