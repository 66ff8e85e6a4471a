/** `demo [--serve] [--root DIR] [--listen HOST:PORT] [--status-listen HOST:PORT]`: what `npm start` runs. */
import { Command, Options } from "@effect/cli"
import { stat } from "node:fs/promises"
import { Effect, Option } from "effect"
import { CliFailure, ExitCode } from "../Failure.js"
import { parseListenAddress } from "../../domain/ListenAddress.js"
import { portTaken } from "./Common.js"
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
  (o) =>
    Effect.gen(function* () {
      const listen = parseListenAddress(o.listen)
      if ("error" in listen) return yield* new CliFailure({ message: `--listen ${listen.error}`, exitCode: ExitCode.usage })
      if (Option.isSome(o.root)) {
        const root = o.root.value
        const kind = yield* Effect.promise(() => stat(root).then((s) => (s.isDirectory() ? "dir" : "other"), () => "absent"))
        if (kind === "other") return yield* new CliFailure({ message: `--root ${root} is not a directory`, exitCode: ExitCode.usage })
      }
      const taken = yield* portTaken(listen.host, listen.port)
      if (taken !== undefined) return yield* new CliFailure({ message: `cannot listen on ${o.listen}: ${taken}`, exitCode: ExitCode.failure })
      // The reference side (and SQLite) loads only on this path.
      const { runDemo } = yield* Effect.promise(() => import("../../reference/Demo.js"))
      yield* runDemo({ root: Option.getOrUndefined(o.root), serve: o.serve, listen, statusListen: o.statusListen, maxAge: DEFAULT_MAX_AGE })
    })
).pipe(Command.withDescription("the whole loop on this machine: service, sample sensor, agent commands, status"))
