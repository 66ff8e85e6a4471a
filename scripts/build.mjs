// Bundles the CLI so one-shot cron runs start fast; heavy parts (HTTP, SQLite, service) are split into
// chunks that load only when a command needs them. Built beside dist/ and swapped in, so a CLI started
// while a build runs (tests in parallel) finds a whole bundle.
import { build } from "esbuild"
import { renameSync, rmSync } from "node:fs"

const at = (p) => new URL(`../${p}`, import.meta.url)
const tmp = `dist.tmp-${process.pid}`
rmSync(at(tmp), { recursive: true, force: true })
await build({
  entryPoints: { bin: "src/main/bin.ts" },
  outdir: tmp,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: "linked",
  logLevel: "warning",
  // Native or dev-only packages stay outside the bundle.
  external: ["better-sqlite3", "playwright-core"],
  // CommonJS dependencies call require() for Node built-ins.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" }
})
const old = `dist.old-${process.pid}`
try {
  renameSync(at("dist"), at(old))
} catch (e) {
  if (e.code !== "ENOENT") throw e
}
renameSync(at(tmp), at("dist"))
rmSync(at(old), { recursive: true, force: true })
