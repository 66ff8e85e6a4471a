/**
 * @effect/cli's argument errors in the project's voice (SPEC section 11): one line, worded from the
 * ValidationError's tag, its HelpDoc and the command tree's usage — @effect/cli's own printout is dropped
 * (see ./CliConsole.ts) because it has no `emergingthreats:` prefix and can mislead ("unknown argument
 * '--since'" when --since only lacks its value).
 */
import { type Command, CommandDescriptor, type HelpDoc, type Usage, type ValidationError } from "@effect/cli"
import type { Span } from "@effect/cli/HelpDoc/Span"

const spanText = (s: Span): string => {
  switch (s._tag) {
    case "Sequence":
      return spanText(s.left) + spanText(s.right)
    case "Highlight":
    case "Strong":
    case "Weak":
      return spanText(s.value)
    case "Text":
    case "URI":
      return s.value
  }
}

/** The plain text of a HelpDoc, its blocks joined by spaces. */
export const docText = (d: HelpDoc.HelpDoc): string => {
  switch (d._tag) {
    case "Empty":
      return ""
    case "Header":
    case "Paragraph":
      return spanText(d.value)
    case "DescriptionList":
      return d.definitions.map(([s, b]) => `${spanText(s)} ${docText(b)}`).join(" ")
    case "Enumeration":
      return d.elements.map(docText).join(" ")
    case "Sequence":
      return [docText(d.left), docText(d.right)].filter((t) => t !== "").join(" ")
  }
}

const flagNames = (u: Usage.Usage, into: Set<string>): Set<string> => {
  switch (u._tag) {
    case "Named":
      for (const n of u.names) into.add(n)
      break
    case "Optional":
    case "Repeated":
      flagNames(u.usage, into)
      break
    case "Alternation":
    case "Concat":
      flagNames(u.left, into)
      flagNames(u.right, into)
      break
    default:
      break
  }
  return into
}

type Descriptor = CommandDescriptor.Command<unknown>

// The descriptor tree's shape (@effect/cli 0.77): getSubcommands maps a nested command to its parent only,
// which loses `rules update`, so the walk reads the tree itself.
type Node =
  | { readonly _tag: "Standard" | "GetUserInput"; readonly name: string }
  | { readonly _tag: "Map"; readonly command: Node }
  | { readonly _tag: "Subcommands"; readonly parent: Node; readonly children: ReadonlyArray<Node> }

const nameOf = (n: Node): string => (n._tag === "Map" ? nameOf(n.command) : n._tag === "Subcommands" ? nameOf(n.parent) : n.name)
const childrenOf = (n: Node): ReadonlyArray<Node> =>
  n._tag === "Map" ? childrenOf(n.command) : n._tag === "Subcommands" ? n.children : []
/** A nested command's own flags are its parent's (`rules` with subcommands: the `rules` part). */
const ownOf = (n: Node): Node => (n._tag === "Map" ? ownOf(n.command) : n._tag === "Subcommands" ? n.parent : n)

/** The command words in argv (`rules update`) and the innermost command they name. */
export const commandPath = (
  root: Command.Command<string, never, unknown, unknown>,
  args: ReadonlyArray<string>
): { words: string; command: Descriptor } => {
  const words: Array<string> = []
  let node = root.descriptor as unknown as Node
  for (const a of args) {
    if (a.startsWith("-")) break
    const sub = childrenOf(node).find((c) => nameOf(c) === a)
    if (sub === undefined) break
    words.push(a)
    node = sub
  }
  return { words: words.join(" "), command: ownOf(node) as unknown as Descriptor }
}

/** The single quoted word @effect/cli puts in its messages ('--log', 'abc'). */
const quoted = (text: string): string | undefined => {
  const start = text.indexOf("'")
  const end = text.indexOf("'", start + 1)
  return start >= 0 && end > start ? text.slice(start + 1, end) : undefined
}

/** One operator line (without the `emergingthreats: <command>:` prefix) for an argument error. */
export const describeArgumentError = (
  e: ValidationError.ValidationError,
  root: Command.Command<string, never, unknown, unknown>,
  args: ReadonlyArray<string>
): string => {
  const text = "error" in e ? docText(e.error).trim() : ""
  const { command, words } = commandPath(root, args)
  const flags = flagNames(CommandDescriptor.getUsage(command), new Set())
  const rest = args.slice(words === "" ? 0 : words.split(" ").length)
  switch (e._tag) {
    case "CommandMismatch":
    case "MissingSubcommand": {
      const word = rest.find((a) => !a.startsWith("-"))
      return word === undefined
        ? "a command is needed; see etpro-telemetry --help"
        : `unknown command ${JSON.stringify(word)}; see etpro-telemetry${words === "" ? "" : ` ${words}`} --help`
    }
    case "MissingFlag":
    case "MissingValue": {
      const name = quoted(text)
      if (name !== undefined && name.startsWith("-")) return `${name} is required`
      // A missing positional argument: @effect/cli names it <TOKEN>.
      const arg = /<([^>]+)>/.exec(text)?.[1]
      return arg !== undefined ? `${arg} is required` : text
    }
    case "InvalidValue":
    case "InvalidArgument": {
      const word = quoted(text)
      if (word !== undefined && text.startsWith("Received unknown argument")) {
        // A declared flag reported as unknown lacks its value: it came last, or before another flag.
        if (flags.has(word)) return `${word} needs a value`
        return word.startsWith("-") ? `unknown flag ${word}; see etpro-telemetry ${words} --help` : `unexpected argument ${JSON.stringify(word)}`
      }
      const at = word === undefined ? -1 : rest.indexOf(word)
      const flag = at > 0 && rest[at - 1]!.startsWith("-") ? rest[at - 1] : undefined
      if (flag !== undefined && / integer$/.test(text)) return `${flag} ${JSON.stringify(word)} is not a whole number`
      if (flag !== undefined) return `${flag} ${JSON.stringify(word)}: ${text.replace(/^'[^']*' /, "")}`
      return text
    }
    default:
      return text === "" ? e._tag : text
  }
}
