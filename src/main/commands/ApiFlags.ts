/** The flags of every command that talks to the service, and what they resolve to. */
import { Options } from "@effect/cli"
import { Effect } from "effect"
import { isBaseUrl } from "../../domain/BaseUrl.js"
import { parseDuration } from "../../domain/Duration.js"
import { type PathOverrides, resolvePaths } from "../../domain/Paths.js"
import { CliFailure, ExitCode } from "../Failure.js"
import { common, type CommonValues, config, pathsFrom, root, state } from "./Common.js"
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

export interface ApiFlagValues extends CommonValues {
  readonly baseUrl: string
  readonly insecure: boolean
  readonly timeout: string
}

/** What a decoded options Schema holds of the paths and the service (domain/OptionSchemas.ts). */
export interface DecodedApi extends PathOverrides {
  readonly timeoutMs: number
  readonly baseUrl: string
  readonly insecure: boolean
}

/** Paths and API settings from decoded options: the paths resolved, the agent's own files checked. */
export const apiOf = (o: DecodedApi) =>
  Effect.gen(function* () {
    const paths = resolvePaths({ root: o.root, config: o.config, suricataYaml: o.suricataYaml, log: o.log, state: o.state })
    yield* refuseIrregularOwnFiles(paths)
    return { paths, api: { baseUrl: o.baseUrl, insecure: o.insecure, timeoutMs: o.timeoutMs, configPath: paths.ruleUpdaterConfig } }
  })

/** Paths and API options from the flags; a bad flag is a usage error. */
export const apiOptionsFrom = (o: ApiFlagValues) =>
  Effect.gen(function* () {
    const timeoutMs = parseDuration(o.timeout)
    if (timeoutMs === undefined || timeoutMs <= 0) {
      return yield* new CliFailure({
        message: `--timeout ${JSON.stringify(o.timeout)} is not a duration (5s, 90s, 2m)`,
        exitCode: ExitCode.usage
      })
    }
    if (!isBaseUrl(o.baseUrl)) {
      return yield* new CliFailure({
        message: `--base-url ${JSON.stringify(o.baseUrl)} is not an http(s) URL`,
        exitCode: ExitCode.usage
      })
    }
    const paths = pathsFrom(o)
    yield* refuseIrregularOwnFiles(paths)
    return { paths, api: { baseUrl: o.baseUrl, insecure: o.insecure, timeoutMs, configPath: paths.ruleUpdaterConfig } }
  })
