/** What `status` is asked to do, as one Schema decoded once from its flags (src/main/commands/StatusCommand.ts). */
import { Schema } from "effect"
import { accountFields, durationMs, fromFlag, listenAt, optionalFlag } from "../../domain/OptionSchemas.js"

export const StatusOptions = Schema.Struct({
  ...accountFields,
  /** Print the view model as JSON. */
  json: Schema.Boolean,
  /** `--serve HOST:PORT`: serve the page instead. */
  serve: optionalFlag(listenAt("--serve: ")),
  /** One monitoring line and its exit code. */
  check: Schema.Boolean,
  /** With `--check`: CRITICAL once the service has been unreachable this long. */
  unreachableAfterMs: fromFlag("unreachableAfter", durationMs("--unreachable-after", "90s, 30m, 1h, 2d"))
}).pipe(
  Schema.filter((o) => !(o.check && (o.json || o.serve !== undefined)) || "--check prints one line: it takes neither --json nor --serve")
)
export type StatusOptions = typeof StatusOptions.Type
