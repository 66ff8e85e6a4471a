/**
 * The real adapters a heartbeat / sensor-info / status program runs on, over a temp directory: the token in a
 * real rule-updater.config, the state in a real state.json, output captured.
 */
import { Effect, Layer } from "effect"
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import * as Output from "../../src/adapters/Output.js"
import * as Credentials from "../../src/adapters/Credentials.js"
import * as StateStore from "../../src/adapters/StateStore.js"
import * as TelemetryApi from "../../src/adapters/TelemetryApi.js"
import type { AgentState } from "../../src/domain/AgentState.js"

export const TOKEN = "tok3n-Secret-0123456789"

export interface AgentEnv {
  readonly dir: string
  readonly configPath: string
  readonly statePath: string
  readonly setToken: (raw: string | undefined) => Promise<void>
  readonly readState: () => Promise<AgentState | undefined>
  readonly writeState: (s: AgentState) => Promise<void>
  readonly layer: Layer.Layer<
    Output.Output | Output.CapturedOutput | Credentials.Credentials | StateStore.StateStore
  >
  readonly cleanup: () => Promise<void>
}

export const agentEnv = async (token: string | undefined = TOKEN): Promise<AgentEnv> => {
  const dir = await mkdtemp(join(tmpdir(), "etpro-agent-"))
  const configPath = join(dir, "rule-updater.config")
  const statePath = join(dir, "run", "state.json")
  const setToken = async (raw: string | undefined) => {
    if (raw === undefined) await rm(configPath, { force: true })
    // 0600 as it should be: a token file others can read is warned about (issue 15).
    else await writeFile(configPath, `[__properties__]\net_telemetry.token = ${raw}\nother.key = 1\n`, { mode: 0o600 })
  }
  await setToken(token)
  return {
    dir,
    configPath,
    statePath,
    setToken,
    readState: async () => {
      try {
        return JSON.parse(await readFile(statePath, "utf8")) as AgentState
      } catch {
        return undefined
      }
    },
    writeState: async (s) => {
      await mkdir(dirname(statePath), { recursive: true })
      await writeFile(statePath, JSON.stringify(s))
    },
    layer: Layer.mergeAll(Output.layerTest(), Credentials.layer({ tokenFile: join(dir, "token"), ruleUpdaterConfig: configPath }), StateStore.layer(statePath)),
    cleanup: () => rm(dir, { recursive: true, force: true })
  }
}

/** The env's layer plus the live telemetry API at `baseUrl`, signed with the env's token. */
export const withApi = (env: AgentEnv, baseUrl: string, timeoutMs = 2000) =>
  Layer.provideMerge(TelemetryApi.layerFromCredentials({ baseUrl, insecure: false, timeoutMs }), env.layer)

export const captured = Effect.map(Output.CapturedOutput, (c) => c)
