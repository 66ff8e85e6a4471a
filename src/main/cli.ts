/** The command tree: flags → programs. Each command lives in ./commands. */
import { Command } from "@effect/cli"
import { dumpCommand } from "./commands/dump.js"
import { replayCommand } from "./commands/replay.js"
import { rulesCommand } from "./commands/rules.js"
import { serviceCommand } from "./commands/service.js"

export const root = Command.make("etpro-telemetry").pipe(
  Command.withDescription("ET Pro Telemetry agent for Suricata"),
  Command.withSubcommands([dumpCommand, serviceCommand, replayCommand, rulesCommand])
)

export const cli = Command.run(root, { name: "etpro-telemetry", version: "0.1.0" })
