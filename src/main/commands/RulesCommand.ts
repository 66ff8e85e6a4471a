/**
 * `rules update [--force] [--categories LIST|all] [--reload-command CMD] [--opnsense] [--base-url URL] [--insecure] [--timeout D]`
 * `rules list [--json]`
 * The programs, node-tar and the HTTP stack load only when one of these runs.
 */
import { Command, Options } from "@effect/cli"
import { Effect, Layer } from "effect"
import { Output } from "../../adapters/Output.js"
import { resolvePaths } from "../../domain/Paths.js"
import { CliFailure, ExitCode, line } from "../Failure.js"
import { RulesListOptions, RulesUpdateOptions } from "../programs/RulesOptions.js"
import { decodeFlags, root, state } from "./Common.js"
import { accountFlags, apiOf } from "./ApiFlags.js"
import { accountLayer, rulesStoreLayer, sensorLayer } from "../layers.js"

/** The exit code of each fault of a `rules update` (SPEC section 11). */
const EXIT_CODE = { usage: ExitCode.usage, refused: ExitCode.tokenRefused, failed: ExitCode.failure } as const

/** `rules list` reads the installed rules and the state file only. */
const storeOptions = { root, state }

export const rulesUpdateCommand = Command.make(
  "update",
  {
    ...accountFlags,
    force: Options.boolean("force").pipe(Options.withDescription("download and install even when the version is unchanged")),
    categories: Options.text("categories").pipe(
      Options.withPseudoName("LIST"),
      Options.optional,
      Options.withDescription("comma-separated categories (rule file names without .rules) or all; remembered")
    ),
    reloadCommand: Options.text("reload-command").pipe(
      Options.withPseudoName("CMD"),
      Options.optional,
      Options.withDescription("run after a successful install (no shell) instead of signalling Suricata (USR2, pid from /var/run/suricata.pid)")
    ),
    opnsense: Options.boolean("opnsense").pipe(
      Options.withDescription("an OPNsense firewall (also detected by /usr/local/opnsense): OPNsense installs the rules; do nothing")
    )
  },
  (flags) =>
    Effect.gen(function* () {
      const out = yield* Output
      const decoded = yield* decodeFlags(RulesUpdateOptions)(flags)
      const { paths, api } = yield* apiOf(decoded)
      const { rulesUpdateProgram } = yield* Effect.promise(() => import("../programs/RulesUpdate.js"))
      const outcome = yield* rulesUpdateProgram({
        ...api,
        force: decoded.force,
        categories: decoded.categories,
        reloadCommand: decoded.reloadCommand,
        pidfile: paths.suricataPidfile,
        opnsense: decoded.opnsense
      }).pipe(Effect.provide(Layer.merge(sensorLayer(paths, api), rulesStoreLayer(paths))))
      if (outcome.fault !== "none") {
        return yield* new CliFailure({ message: outcome.message, exitCode: EXIT_CODE[outcome.fault] })
      }
      yield* out.err(line("rules update", outcome.message))
    })
).pipe(Command.withDescription("download, verify and install the ruleset when the service has a new version"))

export const rulesListCommand = Command.make(
  "list",
  { ...storeOptions, json: Options.boolean("json").pipe(Options.withDescription("one JSON object")) },
  (flags) =>
    Effect.gen(function* () {
      const out = yield* Output
      const o = yield* decodeFlags(RulesListOptions)(flags)
      const paths = resolvePaths(o)
      const { rulesList } = yield* Effect.promise(() => import("../programs/RulesUpdate.js"))
      const list = yield* rulesList.pipe(
        Effect.provide(Layer.merge(accountLayer(paths), rulesStoreLayer(paths))),
        Effect.mapError((e) => new CliFailure({ message: e.message, exitCode: ExitCode.failure }))
      )
      if (o.json) {
        yield* out.out(
          JSON.stringify({
            version: list.version ?? null,
            enabled: list.selection,
            categories: list.lines,
            last: list.lastResult ?? null
          }) + "\n"
        )
        return
      }
      if (list.lines.length === 0) {
        yield* out.err(
          line(
            "rules list",
            list.onOpnsense
              ? "on OPNsense the ET Pro Telemetry ruleset is downloaded and enabled by OPNsense itself (Services > Intrusion Detection > Administration > Download)"
              : `no ruleset installed yet (${paths.agentRulesDir}); run: etpro-telemetry rules update`
          )
        )
        return
      }
      yield* out.out(list.lines.map((l) => `${l.enabled ? "enabled " : "disabled"}  ${l.category}\n`).join(""))
      const n = list.lines.filter((l) => l.enabled).length
      const last = list.lastResult
      yield* out.err(
        line(
          "rules list",
          `version ${list.version ?? "unknown"}: ${n} of ${list.lines.length} categories enabled` +
            ` (--categories ${list.selection === "all" ? "all" : list.selection.join(",")})` +
            (last !== undefined ? `; last update ${new Date(last.at).toISOString()}: ${last.ok ? "ok" : "FAILED"}: ${last.message}` : "") +
            (list.complete ? "" : "; WARNING: installed files are missing")
        )
      )
    })
).pipe(Command.withDescription("the categories of the last download and which are enabled"))

export const rulesCommand = Command.make("rules").pipe(
  Command.withDescription("download and install the ET ruleset"),
  Command.withSubcommands([rulesUpdateCommand, rulesListCommand])
)
