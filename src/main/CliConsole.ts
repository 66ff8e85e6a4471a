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

// The options tree of a command (@effect/cli 0.77). Its help says "This setting is optional." for a flag with
// a default and never names the default (it does so only for Option values), so the tree is read here.
type OptionsNode =
  | { readonly _tag: "Single"; readonly fullName: string }
  | { readonly _tag: "Map" | "WithFallback"; readonly options: OptionsNode }
  | { readonly _tag: "WithDefault"; readonly options: OptionsNode; readonly fallback: unknown }
  | { readonly _tag: "Both" | "OrElse"; readonly left: OptionsNode; readonly right: OptionsNode }
  | { readonly _tag: "Empty" | "Variadic" | "KeyValueMap" }

const singlesOf = (n: OptionsNode): ReadonlyArray<string> => {
  switch (n._tag) {
    case "Single":
      return [n.fullName]
    case "Map":
    case "WithFallback":
    case "WithDefault":
      return singlesOf(n.options)
    case "Both":
    case "OrElse":
      return [...singlesOf(n.left), ...singlesOf(n.right)]
    default:
      return []
  }
}

const collect = (n: OptionsNode, into: Map<string, string>): Map<string, string> => {
  switch (n._tag) {
    case "WithDefault": {
      // Booleans default to false and Options.optional to None: neither is worth printing.
      const f = n.fallback
      if (typeof f === "string" || typeof f === "number") for (const name of singlesOf(n.options)) into.set(name, String(f))
      return collect(n.options, into)
    }
    case "Map":
    case "WithFallback":
      return collect(n.options, into)
    case "Both":
    case "OrElse":
      collect(n.left, into)
      return collect(n.right, into)
    default:
      return into
  }
}

/** `--max-age` → `1d`: the defaults of a command's flags (a descriptor from ArgumentError.commandPath). */
export const flagDefaults = (command: unknown): ReadonlyMap<string, string> => {
  const own = command as { readonly _tag: string; readonly options?: OptionsNode }
  return own._tag === "Standard" && own.options !== undefined ? collect(own.options, new Map()) : new Map()
}

/**
 * Help text as the operator should read it; `commandWords` is `token set` for `token set --help`, `defaults`
 * the command's flag defaults (printed as `Default: X` under the flag).
 */
export const cleanHelp = (
  text: string,
  commandWords: string,
  colour: boolean,
  defaults: ReadonlyMap<string, string> = new Map()
): string => {
  const out: Array<string> = []
  let flag: string | undefined
  for (const raw of text.split("\n")) {
    const plain = raw.replace(ANSI, "")
    const trimmed = plain.trim()
    const indent = plain.slice(0, plain.length - plain.trimStart().length)
    // A flag's entry starts unindented with its name (`--max-age text`); its paragraphs are indented.
    if (indent === "" && trimmed.startsWith("-")) flag = trimmed.split(" ")[0]
    else if (indent === "" && trimmed !== "") flag = undefined
    if (trimmed === "This setting is optional." && flag !== undefined && defaults.has(flag)) {
      out.push(`${indent}Default: ${defaults.get(flag)}`)
      continue
    }
    if (BOILERPLATE.has(trimmed)) continue
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
    // The boilerplate dropped above leaves runs of blank lines: keep one.
    if (trimmed === "" && out.length > 0 && out[out.length - 1]!.trim() === "") continue
    out.push(colour ? raw : plain)
  }
  return out.join("\n")
}

export const cliConsole = (
  commandWords: string,
  colour: boolean,
  defaults: ReadonlyMap<string, string> = new Map()
): Effect.Effect<Console.Console> =>
  Effect.map(Effect.console, (base) => ({
    ...base,
    error: () => Effect.void,
    log: (...args: ReadonlyArray<unknown>) =>
      Effect.sync(() => {
        process.stdout.write(cleanHelp(args.map(String).join(" "), commandWords, colour, defaults) + "\n")
      })
  }))
