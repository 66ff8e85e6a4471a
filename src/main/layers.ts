/** Live wiring: the adapters a command runs on, on a real sensor. */
import { Layer } from "effect"
import * as Credentials from "../adapters/Credentials.js"
import * as EveLog from "../adapters/EveLog.js"
import * as HostNetworks from "../adapters/HostNetworks.js"
import * as Output from "../adapters/Output.js"
import * as Processes from "../adapters/Processes.js"
import * as Progress from "../adapters/Progress.js"
import * as StateStore from "../adapters/StateStore.js"
import * as TelemetryApi from "../adapters/TelemetryApi.js"
import type { Paths } from "../domain/Paths.js"

// Progress draws through the same Output, so a message first removes the progress line.
export const AgentLive = Layer.mergeAll(
  EveLog.layer,
  HostNetworks.layer,
  Layer.provideMerge(Progress.layer, Output.layer),
  Processes.layer
)

/**
 * This sensor's state file and token, and the telemetry API they sign in to: the token is read at first
 * use, and the HTTP stack loaded at the first call (a run with nothing to send loads neither).
 */
export const sensorLayer = (paths: Paths, api: TelemetryApi.ApiSettings) =>
  Layer.provideMerge(TelemetryApi.layerFromCredentials(api), Layer.merge(Credentials.layer(paths), StateStore.layer(paths.state)))
