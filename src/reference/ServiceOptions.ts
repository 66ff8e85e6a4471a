/**
 * What `service` is asked to do, as one Schema decoded once from its flags (src/main/commands/ServiceCommand.ts,
 * which loads this file lazily, as it loads all of the reference side); ./RunService.ts reads its type.
 */
import { Schema } from "effect"
import { decodeOnly, listenAt, OptionalText } from "../domain/OptionSchemas.js"

const Flags = Schema.Struct({
  listen: listenAt("--listen "),
  db: Schema.String,
  token: Schema.Array(Schema.String),
  adminKey: OptionalText,
  etproRules: OptionalText,
  etopenRules: OptionalText
})

const Decoded = Schema.Struct({
  host: Schema.String,
  port: Schema.Int,
  /** SQLite database file, or `:memory:`. */
  db: Schema.String,
  /** Sensor tokens accepted. */
  tokens: Schema.Array(Schema.String),
  /** Key of the /admin endpoints; undefined: `$ETPRO_SERVICE_ADMIN_KEY`, else a random one. */
  adminKey: Schema.UndefinedOr(Schema.String),
  etproDir: Schema.UndefinedOr(Schema.String),
  etopenDir: Schema.UndefinedOr(Schema.String)
})

export const ServiceOptions = decodeOnly(Flags, Decoded, (o) =>
  o.token.some((t) => t.trim() === "")
    ? "--token is empty"
    : {
        ok: {
          host: o.listen.host,
          port: o.listen.port,
          db: o.db,
          tokens: o.token,
          adminKey: o.adminKey,
          etproDir: o.etproRules,
          etopenDir: o.etopenRules
        }
      }
)
export type ServiceOptions = typeof ServiceOptions.Type
