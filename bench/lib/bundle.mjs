// Bundles source modules for a bench section, with the same esbuild settings as scripts/build.mjs, so a
// section measures the code as the CLI ships it. `entryPoints` maps output names to files under the repo.
import { build } from "esbuild"
import { mkdirSync } from "node:fs"

export const bundle = async (outdir, entryPoints) => {
  mkdirSync(outdir, { recursive: true })
  await build({
    entryPoints,
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    logLevel: "warning",
    external: ["better-sqlite3", "playwright-core"],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" }
  })
}
