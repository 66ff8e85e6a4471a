// Bundles source modules for a bench section with the CLI's own esbuild settings (scripts/esbuild-options.mjs).
// `entryPoints` maps output names to files under the repo.
import { build } from "esbuild"
import { bundleOptions } from "../../scripts/esbuild-options.mjs"

export const bundle = (outdir, entryPoints) => build({ ...bundleOptions, entryPoints, outdir })
