/**
 * What `cron` is asked to print, as one Schema decoded once from its flags (src/main/commands/CronCommand.ts);
 * ./Crontab.ts renders its type into crontab lines.
 */
import { Schema } from "effect"
import { DELIVERY_POLICIES } from "./Delivery.js"
import { decodeOnly, fromFlag, OptionalText, optionalFlag, RulesAtMs } from "./OptionSchemas.js"

const User = decodeOnly(Schema.String, Schema.String, (name) =>
  /^[a-z_][a-z0-9_-]*$/i.test(name) ? { ok: name } : `--user ${JSON.stringify(name)} is not a user name`
)

// Field order is the order the flags are checked in (the first failure is the one reported).
export const CronOptions = Schema.Struct({
  /** The agent's executable. */
  bin: Schema.String,
  /** Local time of the daily rules update, ms after midnight. */
  rulesAtMs: fromFlag("rulesAt", RulesAtMs),
  /** A user column for a system crontab (/etc/crontab, /etc/cron.d); undefined for `crontab -e`. */
  user: optionalFlag(User),
  /** Leave output to cron (mail) instead of piping it to logger(1). */
  plain: Schema.Boolean,
  /** Passed on: to rules update. */
  reloadCommand: OptionalText,
  /** Passed on to every command. */
  root: OptionalText,
  config: OptionalText,
  state: OptionalText,
  baseUrl: OptionalText,
  insecure: Schema.Boolean,
  /** Passed on to send-events and send-heartbeat. */
  log: OptionalText,
  /** Passed on to send-events. */
  delivery: optionalFlag(Schema.Literal(...DELIVERY_POLICIES))
})
export type CronOptions = typeof CronOptions.Type
