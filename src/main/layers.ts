/** Live wiring: the adapters a command runs on, on a real sensor. */
// Deep imports: the barrel would load every platform-node module (HTTP, workers...) at start-up.
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import { Layer } from "effect"
import * as EveLog from "../adapters/EveLog.js"
import * as HostNetworks from "../adapters/HostNetworks.js"
import * as Output from "../adapters/Output.js"
import * as Progress from "../adapters/Progress.js"

/** What @effect/cli itself needs. */
export const CliLive = Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer)

// Progress draws through the same Output, so a message first removes the progress line.
export const AgentLive = Layer.mergeAll(EveLog.layer, HostNetworks.layer, Layer.provideMerge(Progress.layer, Output.layer))
