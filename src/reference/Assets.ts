/**
 * Files shipped with the package (sample rule sets, the sample eve log), found from this module's location:
 * the same code runs from src/ (tests, tsx) and from the bundle in dist/.
 */
import { existsSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

let cached: string | undefined

/** The directory holding this package's package.json. */
export const packageRoot = (): string => {
  if (cached !== undefined) return cached
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 8; i++) {
    const pj = join(dir, "package.json")
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, "utf8")) as { name?: unknown }).name === "etpro-telemetry") return (cached = dir)
      } catch {
        // not ours; keep looking
      }
    }
    const up = dirname(dir)
    if (up === dir) break
    dir = up
  }
  return (cached = process.cwd())
}

export const assets = () => {
  const root = packageRoot()
  return {
    etproRules: join(root, "fixtures", "rules", "etpro"),
    etopenRules: join(root, "fixtures", "rules", "etopen"),
    sampleEve: join(root, "fixtures", "sample", "eve.json"),
    cli: join(root, "bin", "etpro-telemetry")
  }
}
