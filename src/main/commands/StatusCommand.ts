/** `status [--json] [--serve HOST:PORT] [--check [--unreachable-after DURATION]] [--base-url URL]`: SPEC section 7. */
import { Command, Options } from "@effect/cli"
import { Effect } from "effect"
import { formatDuration } from "../../domain/Duration.js"
import { DEFAULT_UNREACHABLE_AFTER_MS } from "../../domain/StatusCheck.js"
import { exposureWarning } from "../../domain/ListenAddress.js"
import { line } from "../Failure.js"
import { sensorLayer } from "../layers.js"
import { StatusOptions } from "../programs/StatusOptions.js"
import { accountFlags, apiOf } from "./ApiFlags.js"
import { decodeFlags } from "./Common.js"

export const statusCommand = Command.make(
  "status",
  {
    ...accountFlags,
    json: Options.boolean("json").pipe(Options.withDescription("print the view model as JSON (what /api/status serves)")),
    serve: Options.text("serve").pipe(
      Options.withPseudoName("HOST:PORT"),
      Options.optional,
      Options.withDescription("serve the status page and /api/status on HOST:PORT (default host 127.0.0.1)")
    ),
    check: Options.boolean("check").pipe(
      Options.withDescription(
        "one line and a monitoring-plugin exit code: 0 ACTIVE, 1 DORMANT, 2 DISABLED or unreachable too long, 3 unknown"
      )
    ),
    unreachableAfter: Options.text("unreachable-after").pipe(
      Options.withPseudoName("DURATION"),
      Options.withDefault(formatDuration(DEFAULT_UNREACHABLE_AFTER_MS)),
      Options.withDescription("with --check: CRITICAL once the service has been unreachable this long")
    )
  },
  (flags) =>
    Effect.gen(function* () {
      const o = yield* decodeFlags(StatusOptions)(flags)
      const { paths, api } = yield* apiOf(o)
      const { statusProgram, widgetOnly, SERVED_REUSE_MS } = yield* Effect.promise(() => import("../programs/Status.js"))
      if (o.serve === undefined) {
        const check = o.check ? { unreachableAfterMs: o.unreachableAfterMs } : undefined
        const { code } = yield* statusProgram({ ...api, json: o.json, check }).pipe(Effect.provide(sensorLayer(paths, api)))
        if (code !== undefined) process.exitCode = code
        return
      }
      const { serveStatus } = yield* Effect.promise(() => import("../web/StatusServer.js"))
      const at = o.serve
      const exposed = exposureWarning(at.host, at.port)
      if (exposed !== undefined) process.stderr.write(`${line("status", exposed)}\n`)
      yield* serveStatus({
        host: at.host,
        port: at.port,
        view: widgetOnly({ ...api, maxAgeMs: SERVED_REUSE_MS })
      }).pipe(Effect.provide(sensorLayer(paths, api)))
    })
).pipe(Command.withDescription("license status, last results and advice: a table, --json, --check, or a web page (--serve)"))
