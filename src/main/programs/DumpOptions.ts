/**
 * What `dump` is asked to do, as one Schema: decoded once from its flags (src/main/commands/DumpCommand.ts);
 * ./Dump.ts and ./DumpSent.ts read its type.
 */
import { Schema } from "effect"
import { parseDuration } from "../../domain/Duration.js"
import { decodeOnly, optionalFlag, OptionalText, PathFlag } from "../../domain/OptionSchemas.js"

/** `--since DURATION|all`: how far back, and how it was written (for `--sent`'s summary). */
const Since = decodeOnly(
  Schema.String,
  Schema.Union(Schema.Literal("all"), Schema.Struct({ ms: Schema.NonNegative, text: Schema.String })),
  (text) => {
    if (text === "all") return { ok: "all" as const }
    const ms = parseDuration(text)
    return ms !== undefined ? { ok: { ms, text } } : `--since ${JSON.stringify(text)} is not a duration (90s, 30m, 1h, 2d) or all`
  }
)

const Limit = decodeOnly(Schema.Int, Schema.NonNegativeInt, (n) => (n >= 0 ? { ok: n } : `--limit ${n} must be 0 or more`))

export const DumpOptions = Schema.Struct({
  root: OptionalText,
  suricataYaml: PathFlag,
  log: PathFlag,
  state: PathFlag,
  /** `--sids`: the telemetry SID list, else the one under `--root`. */
  sids: OptionalText,
  since: Since,
  /** Print exactly the bodies send-events would POST. */
  parsed: Schema.Boolean,
  /** Beside each body, what was dropped and masked. */
  explain: Schema.Boolean,
  /** Stop after this many records; undefined: no limit. */
  limit: optionalFlag(Limit),
  homeNet: OptionalText,
  internalDomains: OptionalText,
  /** Print the acknowledged bodies (the audit file) instead. */
  sent: Schema.Boolean
})
export type DumpOptions = typeof DumpOptions.Type
