/** `status [--json] [--serve HOST:PORT] [--base-url URL]`: the widget of SPEC section 7. */
import { Command, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import { CliFailure, ExitCode } from "../Failure.js"
import { agentLayer, apiFlags, apiOptionsFrom } from "./ApiFlags.js"

/** How long the served page reuses a recorded answer before asking the service again. */
const SERVE_MAX_AGE_MS = 5 * 60_000

export const statusCommand = Command.make(
  "status",
  {
    ...apiFlags,
    json: Options.boolean("json").pipe(Options.withDescription("print the view model as JSON (what /api/status serves)")),
    serve: Options.text("serve").pipe(
      Options.optional,
      Options.withDescription("serve the status page and /api/status on HOST:PORT (default host 127.0.0.1)")
    )
  },
  (o) =>
    Effect.gen(function* () {
      const { paths, api } = yield* apiOptionsFrom(o)
      const { statusProgram, widgetOnly } = yield* Effect.promise(() => import("../programs/Status.js"))
      if (Option.isNone(o.serve)) {
        yield* statusProgram({ ...api, json: o.json }).pipe(Effect.provide(agentLayer(paths)))
        return
      }
      const { parseListenAddress, serveStatus } = yield* Effect.promise(() => import("../web/StatusServer.js"))
      const at = parseListenAddress(o.serve.value)
      if ("error" in at) return yield* new CliFailure({ message: `--serve: ${at.error}`, exitCode: ExitCode.usage })
      yield* serveStatus({
        host: at.host,
        port: at.port,
        view: widgetOnly({ ...api, maxAgeMs: SERVE_MAX_AGE_MS })
      }).pipe(Effect.provide(agentLayer(paths)))
    })
).pipe(Command.withDescription("license status, last results and advice: a table, --json, or a web page (--serve)"))
