/** The flags of every command that talks to the service, and what their decoded values resolve to. */
import { Options } from "@effect/cli"
import { Effect } from "effect"
import type { ServiceConnection } from "../../domain/OptionSchemas.js"
import { type PathOverrides, resolvePaths } from "../../domain/Paths.js"
import { common, config, root, state } from "./Common.js"
import { DEFAULT_BASE_URL, DEFAULT_TIMEOUT } from "../FlagDefaults.js"
import { refuseIrregularOwnFiles } from "../OwnFiles.js"

export { DEFAULT_BASE_URL } from "../FlagDefaults.js"

/** How to reach the service. */
export const serviceFlags = {
  baseUrl: Options.text("base-url").pipe(
    Options.withPseudoName("URL"),
    Options.withDefault(DEFAULT_BASE_URL),
    Options.withDescription("telemetry service base URL")
  ),
  insecure: Options.boolean("insecure").pipe(Options.withDescription("skip TLS certificate verification")),
  timeout: Options.text("timeout").pipe(Options.withPseudoName("DURATION"), Options.withDefault(DEFAULT_TIMEOUT), Options.withDescription("per request (90s, 5s, ...)"))
}

/** The service flags and every path flag: the commands that also read the eve log or the sensor's configuration. */
export const apiFlags = { ...common, ...serviceFlags }

/** The service flags and the token's and state's paths: the commands that only ask the service (status, sensor-info, rules update). */
export const accountFlags = { root, config, state, ...serviceFlags }

/** What a decoded options Schema holds of the paths and the service (domain/OptionSchemas.ts). */
export type DecodedApi = PathOverrides & ServiceConnection

/** Paths and API settings from decoded options: the paths resolved, the agent's own files checked. */
export const apiOf = (o: DecodedApi) =>
  Effect.gen(function* () {
    const paths = resolvePaths({ root: o.root, config: o.config, suricataYaml: o.suricataYaml, log: o.log, state: o.state })
    yield* refuseIrregularOwnFiles(paths)
    return { paths, api: { baseUrl: o.baseUrl, insecure: o.insecure, timeoutMs: o.timeoutMs, configPath: paths.ruleUpdaterConfig } }
  })
