// The esbuild settings of the CLI bundle, shared by scripts/build.mjs and the bench sections that bundle
// source modules, so a benchmark measures code built exactly as the CLI ships it.
export const bundleOptions = {
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  logLevel: "warning",
  // Native or dev-only packages stay outside the bundle.
  external: ["better-sqlite3", "playwright-core"],
  // CommonJS dependencies call require() for Node built-ins.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" }
}

// The startup-snapshot bundle of send-events (src/main/SendEventsSnapshot.ts): `node --build-snapshot` takes
// one CommonJS script. Minified: the snapshot holds the source text, so a smaller bundle is a smaller heap
// at every start (peak RSS of a cron run 87 -> 77 MiB).
export const snapshotOptions = {
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  logLevel: "warning",
  external: ["better-sqlite3", "playwright-core"],
  entryPoints: { snapshot: "src/main/SendEventsSnapshot.ts" },
  outExtension: { ".js": ".cjs" },
  minify: true
}
