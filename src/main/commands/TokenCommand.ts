/**
 * `token set TOKEN|-`: writes the agent's own token file (0600), read before rule-updater.config. With
 * `--config FILE` it sets `et_telemetry.token` in that INI file instead, unless the file says it is generated
 * (OPNsense's is: there the token belongs in the Suricata GUI's field).
 */
import { Args, Command, Options } from "@effect/cli"
import { Effect } from "effect"
import { access } from "node:fs/promises"
import * as Credentials from "../../adapters/Credentials.js"
import { Output } from "../../adapters/Output.js"
import { OPNSENSE_HINT } from "../../domain/TokenSource.js"
import { line } from "../Failure.js"
import { resolvePaths } from "../../domain/Paths.js"
import { TokenSetOptions } from "../programs/TokenSetOptions.js"
import { common, decodeFlags } from "./Common.js"

const readStdin = Effect.promise(async () => {
  const chunks: Array<Buffer> = []
  for await (const c of process.stdin) chunks.push(c as Buffer)
  return Buffer.concat(chunks).toString("utf8")
})

/** Options of `token set` that take a value. */
const VALUED = new Set(["--root", "--config"])

/**
 * `node bin token set - --root DIR`: @effect/cli reads options only before the argument, while the token (or
 * `-`) may stand anywhere; this moves `token set`'s options in front of it. Other commands pass unchanged.
 */
export const optionsFirst = (argv: ReadonlyArray<string>): ReadonlyArray<string> => {
  if (argv[2] !== "token" || argv[3] !== "set") return argv
  const options: Array<string> = []
  const rest: Array<string> = []
  const args = argv.slice(4)
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (VALUED.has(a) && i + 1 < args.length) options.push(a, args[++i]!)
    else if (a.startsWith("--")) options.push(a)
    else rest.push(a)
  }
  return [...argv.slice(0, 4), ...options, ...rest]
}

/** The directory the agent may create its own under: /usr/local/etc, or the --root. */
const ownerOf = (root: string | undefined) => root ?? "/usr/local/etc"

const setCommand = Command.make(
  "set",
  {
    root: common.root,
    config: Options.text("config").pipe(
      Options.withPseudoName("FILE"),
      Options.withDescription("set et_telemetry.token in this INI file instead (refused when the file says it is generated)"),
      Options.optional
    ),
    token: Args.text({ name: "TOKEN" }).pipe(Args.withDescription("the token, or - to read it from stdin (keeps it out of ps and shell history)"))
  },
  (flags) =>
    Effect.gen(function* () {
      const out = yield* Output
      const o = yield* decodeFlags(TokenSetOptions)(flags)
      const paths = resolvePaths({ root: o.root, config: o.config })
      // One trailing newline from stdin (echo, a here-string) is not whitespace the operator typed.
      const raw = o.token === "-" ? (yield* readStdin).replace(/\r?\n$/, "") : o.token
      const target = o.config !== undefined ? paths.ruleUpdaterConfig : paths.tokenFile
      const { trimmed, tightenedFrom } = o.config !== undefined
        ? yield* Credentials.writeIniToken(target, raw)
        : yield* Credentials.writeOwnToken(target, ownerOf(o.root), raw)
      if (trimmed) yield* out.err(line("token", "warning: the token had leading or trailing whitespace; it was trimmed"))
      if (tightenedFrom !== undefined) {
        yield* out.err(line("token", `note: ${target} was readable by other users (${tightenedFrom}); it is 0600 now`))
      }
      yield* out.err(line("token", `token written to ${target}`))
      // On OPNsense the GUI owns rule-updater.config; say where the token is kept there too.
      const onOpnsense = yield* Effect.promise(() => access(paths.commands.opnsenseVersion).then(() => true, () => false))
      if (onOpnsense) yield* out.err(line("token", `note: ${OPNSENSE_HINT}`))
    })
).pipe(Command.withDescription("write the telemetry token into the agent's own token file (0600), or into --config FILE"))

export const tokenCommand = Command.make("token").pipe(
  Command.withDescription("manage the telemetry token"),
  Command.withSubcommands([setCommand])
)
