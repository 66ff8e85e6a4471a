/** `service [--listen HOST:PORT] [--db FILE] [--token TOKEN]... [--admin-key KEY]`: the reference service. */
import { Command, Options } from "@effect/cli"
import { Effect } from "effect"
import { CliFailure, ExitCode } from "../Failure.js"
import { decodeFlags } from "./Common.js"

export const ADMIN_KEY_ENV = "ETPRO_SERVICE_ADMIN_KEY"

export const serviceCommand = Command.make(
  "service",
  {
    listen: Options.text("listen").pipe(
      Options.withPseudoName("HOST:PORT"),
      Options.withDefault("127.0.0.1:8080"),
      Options.withDescription("HOST:PORT to listen on (port 0 picks a free one)")
    ),
    db: Options.text("db").pipe(Options.withPseudoName("FILE"), Options.withDefault(":memory:"), Options.withDescription("SQLite database file")),
    token: Options.text("token").pipe(Options.withPseudoName("TOKEN"), Options.repeated, Options.withDescription("a sensor token to accept (repeatable)")),
    adminKey: Options.text("admin-key").pipe(
      Options.withPseudoName("KEY"),
      Options.optional,
      Options.withDescription(`key for the /admin endpoints (or $${ADMIN_KEY_ENV}; random and printed when absent)`)
    ),
    etproRules: Options.text("etpro-rules").pipe(Options.withPseudoName("DIR"), Options.optional, Options.withDescription("ET Pro rule directory")),
    etopenRules: Options.text("etopen-rules").pipe(Options.withPseudoName("DIR"), Options.optional, Options.withDescription("ET Open rule directory"))
  },
  (flags) =>
    Effect.gen(function* () {
      // The Schema lives beside the reference service and loads with it.
      const { ServiceOptions } = yield* Effect.promise(() => import("../../reference/ServiceOptions.js"))
      const o = yield* decodeFlags(ServiceOptions)(flags)
      // @effect/cli drops an empty value (`--token ''`) instead of passing it: look at the words themselves.
      const argv = process.argv
      const emptyToken = argv.some((a, i) => a === "--token" && (argv[i + 1] ?? "").trim() === "")
      if (emptyToken) return yield* new CliFailure({ message: "--token is empty", exitCode: ExitCode.usage })
      const { runService } = yield* Effect.promise(() => import("../../reference/RunService.js"))
      const envKey = process.env[ADMIN_KEY_ENV]
      yield* runService({ ...o, adminKey: o.adminKey ?? (envKey !== undefined && envKey !== "" ? envKey : undefined) })
    })
).pipe(Command.withDescription("the reference telemetry service (SPEC section 9)"))
