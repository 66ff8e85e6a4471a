/**
 * The composition root: every live layer a command runs on is chosen here, and only here. Commands parse
 * their flags, pick layers from this file, run a program and map its errors to exit codes; programs ask
 * for services and build none. Heavy adapters (system probes, the rules store, the in-memory state store)
 * load only when a command builds the layer that needs them.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import { Effect, Layer } from "effect"
import * as AuditLog from "../adapters/AuditLog.js"
import * as Credentials from "../adapters/Credentials.js"
import * as EveLog from "../adapters/EveLog.js"
import * as HostNetworks from "../adapters/HostNetworks.js"
import * as Output from "../adapters/Output.js"
import * as Processes from "../adapters/Processes.js"
import * as Progress from "../adapters/Progress.js"
import * as StateStore from "../adapters/StateStore.js"
import * as TelemetryApi from "../adapters/TelemetryApi.js"
import { found, notFound } from "../domain/Heartbeat.js"
import type { Paths } from "../domain/Paths.js"

// Progress draws through the same Output, so a message first removes the progress line.
/** What every command may use: the eve reader, this host's networks, the terminal's output, the process. */
export const AgentLive = Layer.mergeAll(
  EveLog.layer,
  HostNetworks.layer,
  Layer.provideMerge(Progress.layer, Output.layer),
  Processes.layer
)

/** What @effect/cli itself needs. */
export const CliLive = Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer)

/** No host networks at all: `replay`, whose output must not depend on where it runs. */
export const NoHostNetworks = HostNetworks.layerStatic([])

/** This sensor's token and state file. */
export const accountLayer = (paths: Paths) => Layer.merge(Credentials.layer(paths), StateStore.layer(paths.state))

/**
 * The telemetry API signed in with this sensor's token, the token's service beside it: the token is read at
 * first use, the HTTP stack loaded at the first call (a run with nothing to send loads neither). `run` builds
 * it per task run, so a token changed while the agent runs is taken up.
 */
export const tokenApiLayer = (
  paths: Paths,
  api: TelemetryApi.ApiSettings,
  token: Effect.Effect<Credentials.ConfiguredToken, Credentials.TokenError> = Credentials.readToken(paths)
) => Layer.provideMerge(TelemetryApi.layerFromCredentials(api), Credentials.layerFrom(token))

/** accountLayer plus the telemetry API those credentials sign in to. */
export const sensorLayer = (paths: Paths, api: TelemetryApi.ApiSettings) =>
  Layer.provideMerge(TelemetryApi.layerFromCredentials(api), accountLayer(paths))

/** The record of acknowledged bodies beside the state file (`send-events`, `dump --sent`). */
export const auditLayer = (paths: Paths) => AuditLog.layer(paths.state)

/** The heartbeat's probes of this sensor (loaded only by the commands that send a heartbeat). */
export const probesLayer = (paths: Paths) =>
  Layer.unwrapEffect(Effect.promise(() => import("../adapters/SystemProbe.js")).pipe(Effect.map((m) => m.layer(paths))))

/** The installed rules under this sensor's paths (node-tar and the store load only for the rules commands). */
export const rulesStoreLayer = (paths: Paths) =>
  Layer.unwrapEffect(
    Effect.promise(() => import("../adapters/RulesStore.js")).pipe(Effect.map((m) => m.layer(m.layoutFromPaths(paths))))
  )

/** The probes of a replayed sensor: none but the software. */
const REPLAY_FACTS = {
  softwareVersion: found("etpro-telemetry replay"),
  suricataVersion: notFound("replay"),
  suricataRunning: found(true),
  rulesetVersion: notFound("replay"),
  installedSids: notFound("replay"),
  telemetrySids: notFound("replay"),
  ipsMode: notFound("replay"),
  stats: notFound("replay")
}

export interface ReplaySensorSettings {
  /** The simulated sensor's directory (its eve.json; its state file's name). */
  readonly dir: string
  readonly baseUrl: string
  readonly token: string
  readonly insecure: boolean
  readonly timeoutMs: number
}

/**
 * `replay`'s simulated sensor: the given token, its state in memory (a state file's fsync per heartbeat
 * would be most of a replay's time), the live TelemetryApi, probes that know only the software, the
 * process's eve reader, and an Output that keeps the programs' own lines (summaries, "heartbeat accepted")
 * from drowning the timeline.
 */
export const replaySensorLayer = (s: ReplaySensorSettings) =>
  Layer.unwrapEffect(
    Effect.promise(() => Promise.all([import("../adapters/StateStoreMemory.js"), import("../adapters/SystemProbe.js")])).pipe(
      Effect.map(([memory, probes]) =>
        Layer.mergeAll(
          Layer.provideMerge(
            TelemetryApi.layerFromCredentials({ baseUrl: s.baseUrl, insecure: s.insecure, timeoutMs: s.timeoutMs }),
            Credentials.layerGiven({ token: s.token, source: "the replay's token", trimmed: false, warnings: [] })
          ),
          memory.layerMemory(`${s.dir}/state.json`),
          probes.layerStatic(REPLAY_FACTS),
          Layer.effect(EveLog.EveLog, EveLog.EveLog),
          Layer.effect(Output.Output, Effect.map(Output.Output, (out) => ({ ...out, err: () => Effect.void, progress: () => Effect.void })))
        )
      )
    )
  )
