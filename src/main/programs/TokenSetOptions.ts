/** What `token set` is asked to do, as one Schema decoded once from its flags (src/main/commands/TokenCommand.ts). */
import { Schema } from "effect"
import { OptionalText } from "../../domain/OptionSchemas.js"

export const TokenSetOptions = Schema.Struct({
  root: OptionalText,
  /** `--config FILE`: set et_telemetry.token in this INI file instead of the agent's own token file. */
  config: OptionalText,
  /** The token, or `-` to read it from stdin. */
  token: Schema.String
})
export type TokenSetOptions = typeof TokenSetOptions.Type
