/** The command tree: flags → programs. Each command lives in ./commands. */
import { CliConfig, Command } from "@effect/cli"
import { Effect } from "effect"
import { cronCommand } from "./commands/CronCommand.js"
import { demoCommand } from "./commands/DemoCommand.js"
import { dumpCommand } from "./commands/DumpCommand.js"
import { replayCommand } from "./commands/ReplayCommand.js"
import { rulesCommand } from "./commands/RulesCommand.js"
import { runCommand } from "./commands/RunCommand.js"
import { sendEventsCommand } from "./commands/SendEventsCommand.js"
import { sendHeartbeatCommand } from "./commands/SendHeartbeatCommand.js"
import { sensorInfoCommand } from "./commands/SensorInfoCommand.js"
import { serviceCommand } from "./commands/ServiceCommand.js"
import { statusCommand } from "./commands/StatusCommand.js"
import { optionsFirst, tokenCommand } from "./commands/TokenCommand.js"

export const root = Command.make("etpro-telemetry").pipe(
  Command.withDescription("ET Pro Telemetry agent for Suricata"),
  Command.withSubcommands([dumpCommand, demoCommand, serviceCommand, replayCommand, rulesCommand, runCommand, cronCommand, sendHeartbeatCommand, sensorInfoCommand, statusCommand, sendEventsCommand, tokenCommand])
)

const run = Command.run(root, { name: "etpro-telemetry", version: "0.1.0" })

// Built-in flags (--wizard, --completions, --log-level, -h, --version) still work but are not listed in
// every command's help; README documents completions. Options go first: @effect/cli reads options only
// before a command's arguments (`token set - --root D`).
export const cli = (argv: ReadonlyArray<string>) =>
  run(optionsFirst(argv)).pipe(Effect.provide(CliConfig.layer({ showBuiltIns: false })))

