/**
 * Builds the CLI bundle and the release tarball once before any test file runs, so CLI tests never race
 * each other's rebuilds.
 */
import { ensureBuilt } from "./BuiltCli.js"
import { ensureDist } from "./BuiltDist.js"

export default async function setup(): Promise<void> {
  await ensureBuilt()
  await ensureDist()
}
