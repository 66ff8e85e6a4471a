/**
 * What `sensor-info` is asked, as one Schema decoded once from its flags (src/main/commands/SensorInfoCommand.ts),
 * and the API settings every program that asks the service reads (./SensorInfo.ts, ./Heartbeat.ts, ./Status.ts).
 */
import { Schema } from "effect"
import { accountFields, type ServiceConnection } from "../../domain/OptionSchemas.js"

export const SensorInfoOptions = Schema.Struct(accountFields)
export type SensorInfoOptions = typeof SensorInfoOptions.Type

/** The decoded service settings, and rule-updater.config (holding the token) resolved under `--root`. */
export type ApiOptions = ServiceConnection & {
  readonly configPath: string
}
