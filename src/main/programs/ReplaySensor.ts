/**
 * `replay`'s simulated sensor: a temporary directory whose eve.json the recorded lines are appended to, its
 * state (in memory: it lives as long as the replay), its token, the live TelemetryApi, probes that know only
 * the software; and the agent's own `send-events --direct` and `send-heartbeat --direct` programs run on it,
 * on the simulated clock, to their end (`drive`).
 */
import * as FileSystem from "@effect/platform/FileSystem"
import { Clock, Duration, Effect, type Exit, Fiber, Layer, Option } from "effect"
import type { Credentials } from "../../adapters/Credentials.js"
import type { EveLog } from "../../adapters/EveLog.js"
import type { Output } from "../../adapters/Output.js"
import type { StateStore } from "../../adapters/StateStore.js"
import type { SystemProbe } from "../../adapters/SystemProbe.js"
import * as TelemetryApi from "../../adapters/TelemetryApi.js"
import type { ApiError } from "../../domain/ApiError.js"
import { defaultPolicy } from "../../domain/Retry.js"
import type { NetworkSet } from "../../domain/Network.js"
import { heartbeatProgram } from "./SendHeartbeat.js"
import { sendEvents, type SendSummary } from "./SendEvents.js"
import type { SimClock } from "./SimClock.js"

const MINUTE = 60_000
/**
 * Waits on the simulated clock passed by `drive`: a retry's backoff or Retry-After, never longer than the retry
 * budget. The heartbeat's run deadline (the budget plus request deadlines) lies beyond, so simulated time
 * reaches it only through retry waits, never by skipping to it while a request is in flight.
 */
const DRIVE_HORIZON_MS = defaultPolicy.budgetMs
/** send-events' periodic checkpoint write: past the horizon, so `drive` never moves time for it. */
const PERSIST_EVERY_MS = 24 * 60 * MINUTE

/** The services of the simulated sensor, from the composition root (src/main/layers.ts, replaySensorLayer). */
export type ReplaySensorLayer = (s: {
  readonly dir: string
  readonly baseUrl: string
  readonly token: string
  readonly insecure: boolean
  readonly timeoutMs: number
}) => Layer.Layer<TelemetryApi.TelemetryApi | Credentials | StateStore | SystemProbe | EveLog | Output, never, EveLog | Output>

/** The real clock, for the driver's own waits on the programs' I/O. */
const realClock = Clock.make()

/**
 * Runs `program` to its end on the simulated clock: whenever it has not ended after a moment of real time
 * and waits on the clock within DRIVE_HORIZON_MS, the clock is moved to that wait's end (a retry's backoff
 * takes simulated time, not real time).
 */
const drive = <A, E, R>(sim: SimClock, program: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(program)
    for (;;) {
      const exit = yield* Effect.withClock(Effect.timeoutOption(Fiber.await(fiber), Duration.millis(10)), realClock)
      if (Option.isSome(exit)) return exit.value
      const wakes = sim.wakes().filter((w) => w - sim.now() <= DRIVE_HORIZON_MS)
      if (wakes.length > 0) yield* sim.set(Math.min(...wakes))
    }
  })

/** Waits `ms` of real time (`--speed`). */
export const realSleep = (ms: number) => Effect.withClock(Effect.sleep(Duration.millis(ms)), realClock)

export interface ReplaySensor {
  /** Appends recorded lines to the sensor's eve.json. */
  readonly append: (lines: ReadonlyArray<string>) => Effect.Effect<void, unknown>
  /** One `send-events --direct` run on what the log holds so far. */
  readonly sendEvents: Effect.Effect<Exit.Exit<SendSummary, unknown>>
  /** One `send-heartbeat --direct`. */
  readonly heartbeat: Effect.Effect<Exit.Exit<unknown, unknown>>
  /** The service's view of the sensor. */
  readonly sensorInfo: Effect.Effect<Record<string, unknown>, ApiError>
}

export const makeReplaySensor = (o: {
  readonly sim: SimClock
  readonly baseUrl: string
  readonly token: string
  readonly insecure: boolean
  readonly local: NetworkSet
  readonly sids: ReadonlySet<number>
  readonly maxAgeMs: number | undefined
  readonly layer: ReplaySensorLayer
}) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped({ prefix: "etpro-replay-" })
    const log = `${dir}/eve.json`
    yield* fs.writeFileString(log, "")
    const api = { baseUrl: o.baseUrl, insecure: o.insecure, timeoutMs: 10_000 }
    const sensor = yield* Layer.build(o.layer({ dir, token: o.token, ...api }))
    const run = <A, E, R>(program: Effect.Effect<A, E, R>) => drive(o.sim, Effect.provide(program, sensor))
    return {
      append: (lines) => fs.writeFileString(log, lines.join("\n") + "\n", { flag: "a" }),
      sendEvents: run(
        Effect.scoped(
          sendEvents({
            log: dir,
            maxAgeMs: o.maxAgeMs,
            direct: true,
            persistEveryMs: PERSIST_EVERY_MS,
            privacy: Effect.succeed({ local: o.local, sids: o.sids, warnings: [] })
          })
        )
      ),
      heartbeat: run(heartbeatProgram({ ...api, configPath: "(replay)", direct: true, print: false })),
      sensorInfo: Effect.provide(Effect.flatMap(TelemetryApi.TelemetryApi, (a) => a.sensorInfo), sensor)
    } satisfies ReplaySensor
  })
