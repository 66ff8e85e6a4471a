/** What `send-heartbeat` is asked to do, as one Schema decoded once from its flags (src/main/commands/SendHeartbeatCommand.ts). */
import { Schema } from "effect"
import { pathFields, serviceFields } from "../../domain/OptionSchemas.js"

export const SendHeartbeatOptions = Schema.Struct({
  ...pathFields,
  ...serviceFields,
  /** Skip the spread delay. */
  direct: Schema.Boolean,
  /** Show the heartbeat, send nothing. */
  print: Schema.Boolean
})
export type SendHeartbeatOptions = typeof SendHeartbeatOptions.Type
