// Bundles the CLI so one-shot cron runs start fast; heavy parts (HTTP, SQLite, service) are split into
// chunks that load only when a command needs them.
import { build } from "esbuild"
import { rmSync } from "node:fs"

rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true })
await build({
  entryPoints: { bin: "src/main/bin.ts" },
  outdir: "dist",
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
