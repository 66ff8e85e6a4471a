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

/** The node flags the launcher gives `command` (every command but dump shares its last line), for a baseline started alike. */
export const launcherNodeFlags = (command = "run") => {
  const text = readFileSync(`${REPO}scripts/release/launcher.sh`, "utf8")
  const own = new RegExp(`\\[ "\\$\\{1:-\\}" = ${command} \\] && exec node (--[^@]*)@LIB@`).exec(text)
  const rest = /exec node (--[^@]*)@LIB@\/bin\/etpro-telemetry "\$@"\s*$/.exec(text)
  return (own ?? rest)?.[1].trim().split(/\s+/) ?? []
}

/** The V8 flags src/main/bin.ts sets for `command` once it runs (its setFlagsFromString lines, read from the
 * source so a baseline started with them on its command line follows any change there). */
export const binNodeFlags = (command = "run") =>
  [...readFileSync(`${REPO}src/main/bin.ts`, "utf8").matchAll(/^(if \(command !== "(\w+)"\) )?setFlagsFromString\("([^"]+)"\)/gm)]
    .filter((m) => m[1] === undefined || m[2] !== command)
    .map((m) => m[3])

/** Node with the flags the launcher and bin.ts give `command`: a baseline started as the agent's command is. */
export const nodeAs = (command = "run") => [process.execPath, ...launcherNodeFlags(command), ...binNodeFlags(command)]
