// Bundles the CLI; heavy parts (HTTP, SQLite, service) are split into chunks that load only when a command
// needs them. Built beside dist/ and swapped in, so a CLI started while a build runs (tests in parallel)
// finds a whole bundle.
import { build } from "esbuild"
import { renameSync, rmSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { bundleOptions } from "./esbuild-options.mjs"

const at = (p) => new URL(`../${p}`, import.meta.url)
const tmp = `dist.tmp-${process.pid}`
rmSync(at(tmp), { recursive: true, force: true })
// Paths from the repository root, wherever the script is started from.
const repo = fileURLToPath(at(""))
// etpro-telemetry/core, the library entry (issue 23): scripts/build-core.mjs.
await (await import("./build-core.mjs")).buildCore(repo, fileURLToPath(at(tmp)))
await build({ ...bundleOptions, absWorkingDir: repo, entryPoints: { bin: "src/main/bin.ts" }, outdir: tmp, sourcemap: "linked" })
const old = `dist.old-${process.pid}`
try {
  renameSync(at("dist"), at(old))
} catch (e) {
  if (e.code !== "ENOENT") throw e
}
renameSync(at(tmp), at("dist"))
rmSync(at(old), { recursive: true, force: true })
