/** Builds the CLI bundle once before any test file runs, so CLI tests never race each other's rebuilds. */
import { ensureBuilt } from "./BuiltCli.js"

export default async function setup(): Promise<void> {
  await ensureBuilt()
}
