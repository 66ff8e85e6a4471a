// etpro-telemetry/core (issue 23): the library entry, bundled runtime-neutral (no Node built-in may enter it:
// esbuild fails on one with --platform=neutral), its dependencies (effect, yaml) left to the user's install,
// and its declarations by tsc (tsconfig.core.json). tsc takes seconds, so declarations still newer than every
// source they come from are carried over from the previous build instead.
import { build } from "esbuild"
import { execFileSync } from "node:child_process"
import { cpSync, existsSync, readdirSync, statSync } from "node:fs"
import { join } from "node:path"

const newest = (p) => {
  const s = statSync(p)
  return s.isDirectory() ? readdirSync(p).reduce((m, e) => Math.max(m, newest(join(p, e))), s.mtimeMs) : s.mtimeMs
}

/** Builds into `out` (the staging dist/ of scripts/build.mjs): core/index.js and types/. */
export const buildCore = async (repo, out) => {
  await build({
    absWorkingDir: repo,
    entryPoints: { "core/index": "src/core/index.ts" },
    outdir: out,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    packages: "external",
    sourcemap: "linked",
    logLevel: "warning"
  })
  const previous = join(repo, "dist/types")
  const inputs = ["src/core", "src/domain", "tsconfig.core.json", "tsconfig.json"].map((p) => newest(join(repo, p)))
  const stamp = join(previous, "core/index.d.ts")
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= Math.max(...inputs)) {
    cpSync(previous, join(out, "types"), { recursive: true, preserveTimestamps: true })
    return
  }
  execFileSync(process.execPath, [join(repo, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.core.json", "--outDir", join(out, "types")], {
    cwd: repo,
    stdio: "inherit"
  })
}
