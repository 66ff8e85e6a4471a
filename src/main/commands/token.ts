/** `token set TOKEN`: writes `et_telemetry.token` into rule-updater.config, as pasting it in the UI does. */
import { Args, Command } from "@effect/cli"
import { Effect, Option } from "effect"
import { Output } from "../../adapters/Output.js"
import * as RuleUpdaterConfig from "../../adapters/RuleUpdaterConfig.js"
import { line } from "../Failure.js"
import { common, pathsFrom } from "./Common.js"

const readStdin = Effect.promise(async () => {
  const chunks: Array<Buffer> = []
  for await (const c of process.stdin) chunks.push(c as Buffer)
  return Buffer.concat(chunks).toString("utf8")
})

const setCommand = Command.make(
  "set",
  {
    root: common.root,
    config: common.config,
    token: Args.text({ name: "TOKEN" }).pipe(Args.withDescription("the token, or - to read it from stdin (keeps it out of ps and shell history)"))
  },
  (o) =>
    Effect.gen(function* () {
      const out = yield* Output
      const none = Option.none<string>()
      const paths = pathsFrom({ root: o.root, config: o.config, suricataYaml: none, log: none, state: none })
      const raw = o.token === "-" ? yield* readStdin : o.token
      const config = RuleUpdaterConfig.make()
      const { trimmed } = yield* config.writeToken(paths.ruleUpdaterConfig, raw)
      if (trimmed) yield* out.err(line("token", "warning: the token had leading or trailing whitespace; it was trimmed"))
      yield* out.err(line("token", `token written to ${paths.ruleUpdaterConfig}`))
    })
).pipe(Command.withDescription("write the telemetry token into rule-updater.config (created 0600 if absent)"))

export const tokenCommand = Command.make("token").pipe(
  Command.withDescription("manage the telemetry token"),
  Command.withSubcommands([setCommand])
)
