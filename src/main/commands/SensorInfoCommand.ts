/** `sensor-info [--base-url URL] [--insecure] [--timeout DURATION]`: one JSON line (SPEC section 7). */
import { Command } from "@effect/cli"
import { Effect } from "effect"
import { ExitCode } from "../Failure.js"
import { sensorLayer } from "../layers.js"
import { SensorInfoOptions } from "../programs/SensorInfoOptions.js"
import { accountFlags, apiOf } from "./ApiFlags.js"
import { decodeFlags } from "./Common.js"

export const sensorInfoCommand = Command.make("sensor-info", accountFlags, (flags) =>
  Effect.gen(function* () {
    const { paths, api } = yield* apiOf(yield* decodeFlags(SensorInfoOptions)(flags))
    const { sensorInfoProgram } = yield* Effect.promise(() => import("../programs/SensorInfo.js"))
    const outcome = yield* sensorInfoProgram(api).pipe(Effect.provide(sensorLayer(paths, api)))
    // The JSON line is the answer; the exit code tells scripts what it was (SPEC section 11).
    if (outcome.result["status"] === "unconfigured") process.exitCode = ExitCode.usage
    else if (outcome.failure === "refused") process.exitCode = ExitCode.tokenRefused
    else if (outcome.failure === "config") process.exitCode = ExitCode.usage
    else if (outcome.failure !== undefined) process.exitCode = ExitCode.failure
  })
).pipe(Command.withDescription("ask the service for this sensor's license status; one JSON line"))
