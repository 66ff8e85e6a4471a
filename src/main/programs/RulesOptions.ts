/**
 * What `rules update` and `rules list` are asked to do, one Schema each, decoded once from their flags
 * (src/main/commands/RulesCommand.ts); ./RulesUpdate.ts reads the update's type.
 */
import { Schema } from "effect"
import { accountFields, Categories, OptionalText, optionalFlag, PathFlag } from "../../domain/OptionSchemas.js"

export const RulesUpdateOptions = Schema.Struct({
  ...accountFields,
  /** Download and install even when the version is unchanged. */
  force: Schema.Boolean,
  /** `--categories`; undefined: the remembered selection (or all). */
  categories: optionalFlag(Categories),
  /** Runs instead of signalling Suricata. */
  reloadCommand: OptionalText,
  /** `--opnsense`: treat this as an OPNsense firewall whatever its tree shows. */
  opnsense: Schema.Boolean
})
export type RulesUpdateOptions = typeof RulesUpdateOptions.Type

export const RulesListOptions = Schema.Struct({ root: OptionalText, state: PathFlag, json: Schema.Boolean })
export type RulesListOptions = typeof RulesListOptions.Type
