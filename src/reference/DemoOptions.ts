/**
 * What `demo` is asked to do, as one Schema decoded once from its flags (src/main/commands/DemoCommand.ts,
 * which loads this file lazily, as it loads all of the reference side); ./Demo.ts reads its type.
 */
import { Schema } from "effect"
import { listenAt, OptionalText } from "../domain/OptionSchemas.js"

export const DemoOptions = Schema.Struct({
  /** Keep the service and the status page up until SIGINT/SIGTERM. */
  serve: Schema.Boolean,
  /** The sensor tree; a fresh temporary directory (removed at the end) when undefined. */
  root: OptionalText,
  /** The service's address. */
  listen: listenAt("--listen "),
  /** Where the status page listens with --serve [127.0.0.1:0] (checked by `status --serve` itself). */
  statusListen: Schema.String
})
export type DemoOptions = typeof DemoOptions.Type
