/** `send-heartbeat [--base-url URL] [--direct] [--print] [--insecure] [--timeout DURATION]` (SPEC section 6). */
import { Command, Options } from "@effect/cli"
import { Effect, Layer } from "effect"
import { probesLayer, sensorLayer } from "../layers.js"
import { SendHeartbeatOptions } from "../programs/SendHeartbeatOptions.js"
import { apiFlags, apiOf } from "./ApiFlags.js"
import { decodeFlags } from "./Common.js"

export const sendHeartbeatCommand = Command.make(
  "send-heartbeat",
  {
    ...apiFlags,
    direct: Options.boolean("direct").pipe(Options.withDescription("send now, without the random 0-30 min spread delay")),
    print: Options.boolean("print").pipe(Options.withDescription("print the heartbeat JSON; send nothing"))
  },
  (flags) =>
    Effect.gen(function* () {
      const decoded = yield* decodeFlags(SendHeartbeatOptions)(flags)
      const { paths, api } = yield* apiOf(decoded)
      const { heartbeatProgram } = yield* Effect.promise(() => import("../programs/SendHeartbeat.js"))
      yield* heartbeatProgram({ ...api, direct: decoded.direct, print: decoded.print }).pipe(
        Effect.provide(Layer.merge(sensorLayer(paths, api), probesLayer(paths)))
      )
    })
).pipe(Command.withDescription("send one heartbeat (software versions, rule counts, mode, stats) to the service"))
