/**
 * What `send-events` (and `run`'s events task) is asked to do, as one Schema: decoded once from the command's
 * flags (src/main/commands/SendEventsCommand.ts), its type what the delivery run reads.
 */
import { Schema } from "effect"
import { Delivery, fromFlag, MaxAgeMs, OptionalText, pathFields, serviceFields } from "../../domain/OptionSchemas.js"

/** The flags a delivery run reads besides the paths and the service's. */
export const deliveryFields = {
  /** Records older are never sent; undefined: `--max-age off`. */
  maxAgeMs: fromFlag("maxAge", MaxAgeMs),
  /** `--home-net`: replaces HOME_NET. */
  homeNet: OptionalText,
  /** `--sids`: the telemetry SID list, else the one under `--root`. */
  sids: OptionalText,
  /** `--internal-domains`: names under these are internal (issue 25). */
  internalDomains: OptionalText,
  /** `--delivery`: what an answer other than 201 does to an event (src/domain/Delivery.ts). */
  delivery: Delivery,
  /** `--no-audit`: keep no record of the bodies sent. */
  noAudit: Schema.Boolean
}

export const SendEventsOptions = Schema.Struct({
  ...pathFields,
  ...serviceFields,
  ...deliveryFields,
  /** Skip the random spread delay (`--direct`). */
  direct: Schema.Boolean
})
export type SendEventsOptions = typeof SendEventsOptions.Type
