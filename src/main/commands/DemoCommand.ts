/** `demo [--serve] [--root DIR] [--listen HOST:PORT] [--status-listen HOST:PORT]`: what `npm start` runs. */
import { Command, Options } from "@effect/cli"
import { stat } from "node:fs/promises"
import { Effect } from "effect"
import { CliFailure, ExitCode } from "../Failure.js"
import { decodeFlags, portTaken } from "./Common.js"
import { DEFAULT_MAX_AGE } from "../FlagDefaults.js"

export const demoCommand = Command.make(
  "demo",
  {
    serve: Options.boolean("serve").pipe(Options.withDescription("keep the service and the status page up (Ctrl-C stops)")),
    root: Options.text("root").pipe(Options.withPseudoName("DIR"), Options.optional, Options.withDescription("sensor tree to use (default: a temporary one)")),
    listen: Options.text("listen").pipe(Options.withPseudoName("HOST:PORT"), Options.withDefault("127.0.0.1:0"), Options.withDescription("service HOST:PORT")),
    statusListen: Options.text("status-listen").pipe(
      Options.withPseudoName("HOST:PORT"),
      Options.withDefault("127.0.0.1:0"),
      Options.withDescription("status page HOST:PORT with --serve")
    )
  },
  (flags) =>
    Effect.gen(function* () {
      // The Schema lives beside the demo and loads with it.
      const { DemoOptions } = yield* Effect.promise(() => import("../../reference/DemoOptions.js"))
      const o = yield* decodeFlags(DemoOptions)(flags)
      const listen = o.listen
      if (o.root !== undefined) {
        const root = o.root
        const kind = yield* Effect.promise(() => stat(root).then((s) => (s.isDirectory() ? "dir" : "other"), () => "absent"))
        if (kind === "other") return yield* new CliFailure({ message: `--root ${root} is not a directory`, exitCode: ExitCode.usage })
      }
      const taken = yield* portTaken(listen.host, listen.port)
      if (taken !== undefined) return yield* new CliFailure({ message: `cannot listen on ${listen.text}: ${taken}`, exitCode: ExitCode.failure })
      // The reference side (and SQLite) loads only on this path.
      const { runDemo } = yield* Effect.promise(() => import("../../reference/Demo.js"))
      yield* runDemo({ ...o, maxAge: DEFAULT_MAX_AGE })
    })
).pipe(Command.withDescription("the whole loop on this machine: service, sample sensor, agent commands, status"))
