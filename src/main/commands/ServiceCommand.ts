/** `service [--listen HOST:PORT] [--db FILE] [--token TOKEN]... [--admin-key KEY]`: the reference service. */
import { Command, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import { CliFailure, ExitCode } from "../Failure.js"
import { parseListenAddress } from "../../domain/ListenAddress.js"

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
  (o) =>
    Effect.gen(function* () {
      const listen = parseListenAddress(o.listen)
      if ("error" in listen) return yield* new CliFailure({ message: `--listen ${listen.error}`, exitCode: ExitCode.usage })
      // @effect/cli drops an empty value (`--token ''`) instead of passing it: look at the words themselves.
      const argv = process.argv
      const emptyToken = argv.some((a, i) => a === "--token" && (argv[i + 1] ?? "").trim() === "")
      if (emptyToken || o.token.some((t) => t.trim() === "")) return yield* new CliFailure({ message: "--token is empty", exitCode: ExitCode.usage })
      const { runService } = yield* Effect.promise(() => import("../../reference/RunService.js"))
      const envKey = process.env[ADMIN_KEY_ENV]
      yield* runService({
        ...listen,
        db: o.db,
        tokens: o.token,
        adminKey: Option.getOrUndefined(o.adminKey) ?? (envKey !== undefined && envKey !== "" ? envKey : undefined),
        etproDir: Option.getOrUndefined(o.etproRules),
        etopenDir: Option.getOrUndefined(o.etopenRules)
      })
    })
).pipe(Command.withDescription("the reference telemetry service (SPEC section 9)"))
