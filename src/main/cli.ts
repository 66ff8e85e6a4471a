/** The command tree: flags → programs. Each command lives in ./commands. */
import { CliConfig, Command } from "@effect/cli"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import { Effect, Layer } from "effect"
import { cronCommand } from "./commands/cron.js"
import { demoCommand } from "./commands/demo.js"
import { dumpCommand } from "./commands/dump.js"
import { replayCommand } from "./commands/replay.js"
import { rulesCommand } from "./commands/rules.js"
import { runCommand } from "./commands/run.js"
import { sendEventsCommand } from "./commands/sendEvents.js"
import { sendHeartbeatCommand } from "./commands/sendHeartbeat.js"
import { sensorInfoCommand } from "./commands/sensorInfo.js"
import { serviceCommand } from "./commands/service.js"
import { statusCommand } from "./commands/status.js"
import { optionsFirst, tokenCommand } from "./commands/token.js"

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

/**
 * What @effect/cli itself needs. Here, not in ./layers.ts: send-events' startup snapshot evaluates that
 * module, and the terminal's readline cannot be part of a snapshot.
 */
export const CliLive = Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer)
