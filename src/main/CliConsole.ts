/**
 * The Console @effect/cli writes through. Its error printout is dropped: bin.ts rewords the ValidationError
 * into one `emergingthreats:` line (./ArgumentError.ts). Help goes to stdout without colour unless stdout
 * is a terminal and NO_COLOR is unset, without @effect/cli's boilerplate, with defaults and full usage lines.
 */
import { Console, Effect } from "effect"

/** Colour only on a terminal and never under NO_COLOR (https://no-color.org: any non-empty value). */
export const colourAllowed = (isTty: boolean, env: NodeJS.ProcessEnv): boolean =>
  isTty && (env["NO_COLOR"] === undefined || env["NO_COLOR"] === "")

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g

/** Lines @effect/cli adds to every flag's help that say nothing about the flag. */
const BOILERPLATE = new Set([
  "A user-defined piece of text.",
  "A user-defined piece of text that is confidential.",
  "A true or false value.",
  "An integer.",
  "A floating point number.",
  "This setting is optional."
])

/** Help text as the operator should read it; `commandWords` is `token set` for `token set --help`. */
export const cleanHelp = (text: string, commandWords: string, colour: boolean): string => {
  const out: Array<string> = []
  for (const raw of text.split("\n")) {
    const plain = raw.replace(ANSI, "")
    const trimmed = plain.trim()
    if (BOILERPLATE.has(trimmed)) continue
    const indent = plain.slice(0, plain.length - plain.trimStart().length)
    const dflt = "This setting is optional. Defaults to: "
    if (trimmed.startsWith(dflt)) {
      out.push(`${indent}Default: ${trimmed.slice(dflt.length)}`)
      continue
    }
    // Usage lines read `$ set ...`: give the whole command.
    if (trimmed.startsWith("$ ") && commandWords !== "" && !trimmed.startsWith("$ etpro-telemetry")) {
      out.push(`${indent}$ etpro-telemetry ${commandWords}${trimmed.slice(2).replace(/^\S+/, "")}`)
      continue
    }
    out.push(colour ? raw : plain)
  }
  return out.join("\n")
}

export const cliConsole = (commandWords: string, colour: boolean): Effect.Effect<Console.Console> =>
  Effect.map(Effect.console, (base) => ({
    ...base,
    error: () => Effect.void,
    log: (...args: ReadonlyArray<unknown>) =>
      Effect.sync(() => {
        process.stdout.write(cleanHelp(args.map(String).join(" "), commandWords, colour) + "\n")
      })
  }))
