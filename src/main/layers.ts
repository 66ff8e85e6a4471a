/** Live wiring: the adapters a command runs on, on a real sensor. */
// Deep imports: the barrel would load every platform-node module (HTTP, workers...) at start-up.
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import { Layer } from "effect"
import * as EveLog from "../adapters/EveLog.js"
import * as HostNetworks from "../adapters/HostNetworks.js"
import * as Output from "../adapters/Output.js"

/** What @effect/cli itself needs. */
export const CliLive = Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer)

export const AgentLive = Layer.mergeAll(EveLog.layer, HostNetworks.layer, Output.layer)
