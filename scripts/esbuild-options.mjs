// The esbuild settings of the CLI bundle, shared by scripts/build.mjs and the bench sections that bundle
// source modules, so a benchmark measures code built exactly as the CLI ships it.
// undici's HTTP/1.1 client requires its HTTP/2 client at load, and with it node:http2 and node:tls: ~15 ms of
// a cron run's start (BENCHMARKS.md "Issue 14"). The agent never offers HTTP/2 (undici speaks it only with
// `allowH2`, which nothing sets), so the bundles carry a stand-in that says so if it is ever reached.
const withoutHttp2 = {
  name: "undici-without-http2",
  setup(b) {
    b.onResolve({ filter: /^\.\/client-h2\.js$/ }, (a) =>
      /undici[\\/]lib[\\/]dispatcher$/.test(a.resolveDir) ? { path: "undici-client-h2", namespace: "without-http2" } : undefined
    )
    b.onLoad({ filter: /.*/, namespace: "without-http2" }, () => ({
      contents: 'module.exports = () => { throw new Error("HTTP/2 is not part of this build: the agent speaks HTTP/1.1") }',
      loader: "js"
    }))
  }
}

export const bundleOptions = {
  plugins: [withoutHttp2],
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
  plugins: [withoutHttp2],
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
