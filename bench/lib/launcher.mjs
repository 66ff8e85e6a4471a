// The launcher as install.sh writes it (scripts/release/launcher.sh), for this checkout: the bench sections
// start the CLI through it, as cron and an administrator do on an installed sensor (dump with its heap
// settings; every other command as `node bin/etpro-telemetry`).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { DATA } from "../generate.mjs"

const REPO = fileURLToPath(new URL("../../", import.meta.url))
export const LAUNCHER = `${DATA}launcher.sh`

/** Writes the launcher; returns the words that start the CLI through it. */
export const launcher = () => {
  mkdirSync(DATA, { recursive: true })
  writeFileSync(LAUNCHER, readFileSync(`${REPO}scripts/release/launcher.sh`, "utf8").replaceAll("@LIB@", REPO.replace(/\/$/, "")))
  return ["/bin/sh", LAUNCHER]
}

/** The node flags the launcher gives every command but dump (its last line), for a baseline started alike. */
export const launcherNodeFlags = () =>
  /exec node (--[^@]*)@LIB@\/bin\/etpro-telemetry "\$@"\s*$/.exec(readFileSync(`${REPO}scripts/release/launcher.sh`, "utf8"))?.[1].trim().split(/\s+/) ?? []
