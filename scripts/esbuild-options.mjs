// The esbuild settings of the CLI bundle, shared by scripts/build.mjs, scripts/dist.mjs and the bench sections
// that bundle source modules, so a benchmark measures code built exactly as the CLI ships it.
export const bundleOptions = {
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  logLevel: "warning",
  // V8 keeps every loaded script's source in the heap for as long as the process lives (lazy compilation reads
  // it again): minified, the daemon's share of it went from 4.5 to 1.9 MiB. The linked source map keeps stack
  // traces readable (node --enable-source-maps).
  minify: true,
  // Native or dev-only packages stay outside the bundle.
  external: ["better-sqlite3", "playwright-core"],
  // CommonJS dependencies call require() for Node built-ins.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" }
}
