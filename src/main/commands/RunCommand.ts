/**
 * `run [--tasks LIST] [--rules-at HH:MM] [--rules-jitter DURATION] [--status-listen HOST:PORT] ...`: the
 * long-running agent (rc.d / systemd). Events every minute, heartbeat and sensor info hourly, rules daily,
 * each with the flags of its one-shot command. SIGTERM or SIGINT stop it gracefully (exit 0); a second
 * signal exits at once. `--tick DURATION` (a bench and test aid) runs the schedule on compressed time: one
 * scheduled minute passes in DURATION of real time; the tasks themselves run on real time.
 */
import { Command, Options } from "@effect/cli"
import { Clock, Deferred, Effect, Layer, Random, Ref } from "effect"
import type { EveLog } from "../../adapters/EveLog.js"
import { Output } from "../../adapters/Output.js"
import { Processes } from "../../adapters/Processes.js"
import * as Credentials from "../../adapters/Credentials.js"
import { HostNetworks } from "../../adapters/HostNetworks.js"
import { scaledClock } from "../../adapters/ScaledClock.js"
import { StateStore } from "../../adapters/StateStore.js"
import { exposureWarning } from "../../domain/ListenAddress.js"
import type { Selection } from "../../domain/RulesPlan.js"
import {
  defaultRunConfig,
  drawPlan,
  formatTimeOfDay,
  MINUTE,
  type TaskName
} from "../../domain/Schedule.js"
import { CliFailure, ExitCode, line } from "../Failure.js"
import type { DaemonConfig } from "../programs/DaemonConfig.js"
import { accountLayer, auditLayer, probesLayer, rulesStoreLayer, tokenApiLayer } from "../layers.js"
import { eventsPending } from "../programs/EventsPending.js"
import type { Tasks } from "../programs/RunAgent.js"
import { decodeFlags, delivery, portTaken, SIDS_DEFAULT } from "./Common.js"
import { apiFlags, apiOf } from "./ApiFlags.js"
import { RunOptions } from "../programs/RunOptions.js"
import { deliverPending, sendEventsOptions } from "./SendEventsCommand.js"

/** Longest run of one task before it is interrupted. */
const TASK_LIMIT_MS = 15 * MINUTE

/** Local time minus UTC at `t`, from the system's time zone. */
const localOffsetMs = (t: number) => -new Date(t).getTimezoneOffset() * MINUTE

export const runCommand = Command.make(
  "run",
  {
    ...apiFlags,
    tasks: Options.text("tasks").pipe(
      Options.withPseudoName("LIST"),
      Options.withDefault("events,heartbeat,sensor-info,rules"),
      Options.withDescription("which tasks to run: events, heartbeat, sensor-info, rules")
    ),
    maxAge: Options.text("max-age").pipe(Options.withPseudoName("DURATION"), Options.withDefault("1d"), Options.withDescription("events: never send alerts older than this, or off")),
    delivery,
    homeNet: Options.text("home-net").pipe(Options.withPseudoName("CIDRS"), Options.optional, Options.withDescription("events: replaces HOME_NET")),
    sids: Options.text("sids").pipe(Options.withPseudoName("FILE"), Options.optional, Options.withDescription("events: telemetry SID list"), Options.withDescription(SIDS_DEFAULT)),
    internalDomains: Options.text("internal-domains").pipe(Options.withPseudoName("DOMAINS"), Options.optional, Options.withDescription("events: names under these domains are internal (masked), e.g. acme.example,corp.example")),
    rulesAt: Options.text("rules-at").pipe(Options.withPseudoName("HH:MM"), Options.withDefault("03:00"), Options.withDescription("rules: local time of the daily update (HH:MM)")),
    rulesJitter: Options.text("rules-jitter").pipe(Options.withPseudoName("DURATION"), Options.withDefault("1h"), Options.withDescription("rules: random delay after --rules-at, at most")),
    categories: Options.text("categories").pipe(Options.withPseudoName("LIST"), Options.optional, Options.withDescription("rules: categories to install, or all (remembered)")),
    reloadCommand: Options.text("reload-command").pipe(Options.withPseudoName("CMD"), Options.optional, Options.withDescription("rules: run after an install (no shell)")),
    statusListen: Options.text("status-listen").pipe(Options.withPseudoName("HOST:PORT"), Options.optional, Options.withDescription("also serve the status page on HOST:PORT")),
    noAudit: Options.boolean("no-audit").pipe(Options.withDescription("events: keep no local record of the bodies sent")),
    now: Options.boolean("now").pipe(Options.withDescription("run every task once at start, then on schedule")),
    graceSeconds: Options.integer("stop-grace").pipe(Options.withPseudoName("SECONDS"), Options.withDefault(10), Options.withDescription("seconds runs in progress get to finish on SIGTERM")),
    tick: Options.text("tick").pipe(Options.withPseudoName("DURATION"), Options.optional, Options.withDescription("bench/test aid: one scheduled minute passes in DURATION of real time (e.g. 100ms)"))
  },
  (flags) =>
    Effect.gen(function* () {
      const out = yield* Output
      const decoded = yield* decodeFlags(RunOptions)(flags)
      const { paths, api } = yield* apiOf(decoded)
      const enabled = new Set<TaskName>(decoded.tasks)
      const { tickMs, rulesAtMs, rulesJitterMs, statusListen: listen } = decoded
      const categories: Selection | undefined = decoded.categories
      const web = listen !== undefined ? yield* Effect.promise(() => import("../web/StatusServer.js")) : undefined
      if (listen !== undefined) {
        // A port in use stops the run before it creates anything or says "started" (serveStatus binds it later).
        const taken = yield* portTaken(listen.host, listen.port)
        if (taken !== undefined) return yield* new CliFailure({ message: `cannot listen on ${listen.text}: ${taken}`, exitCode: ExitCode.failure })
        const exposed = exposureWarning(listen.host, listen.port)
        if (exposed !== undefined) yield* out.err(line("run", exposed))
      }

      const [{ runAgent }, { heartbeatProgram }, { querySensorInfo, recordSensorInfo }, { rulesUpdate }] =
        yield* Effect.promise(() =>
          Promise.all([
            import("../programs/RunAgent.js"),
            import("../programs/SendHeartbeat.js"),
            import("../programs/SensorInfo.js"),
            import("../programs/RulesUpdate.js")
          ])
        )

      // The configuration the daemon keeps (issue 24 row 7): read at start and on SIGHUP; each task run reads
      // afresh and falls back to it when that read fails (programs/DaemonConfig.ts).
      const { readDaemonConfig, reloadDaemonConfig, orLastGood } = yield* Effect.promise(() => import("../programs/DaemonConfig.js"))
      const { loadPrivacy } = yield* Effect.promise(() => import("../Privacy.js"))
      const held = yield* Ref.make<DaemonConfig | undefined>(undefined)
      const sidsFile = decoded.sids ?? paths.telemetrySids
      const sources = {
        token: Credentials.readToken(paths),
        privacy: loadPrivacy({
          suricataYaml: paths.suricataYaml,
          sidsFile,
          homeNet: decoded.homeNet,
          internalDomains: decoded.internalDomains,
          siteRoot: paths.root
        }).pipe(
          Effect.provideService(HostNetworks, yield* HostNetworks)
        )
      }
      const first = yield* Effect.either(readDaemonConfig(sources))
      if (first._tag === "Right") yield* Ref.set(held, first.right)

      // The token is read afresh for each task run (it may change while the agent runs), the API built on it.
      const perRun = tokenApiLayer(paths, api, orLastGood(Credentials.readToken(paths), held, (c) => c.token))

      /**
       * One delivery run, exactly as `send-events --direct` (same run function, run lock and checkpoint): an
       * idle minute (nothing past the checkpoint) takes no lock and writes nothing.
       */
      const events = sendEventsOptions({
        ...decoded,
        paths,
        direct: true,
        tokenWarnings: false,
        privacy: (fresh) => orLastGood(fresh, held, (c) => c.privacy)
      }).pipe(Effect.provide(auditLayer(paths)), Effect.flatMap(deliverPending), Effect.provide(perRun), Effect.as(undefined))
      // An idle minute asks the log first, before the token is read and the per-run layers are built: it then
      // costs a state read and the eve files' stat (issue 22: an idle minute's CPU).
      const eventsIfPending = Effect.flatMap(eventsPending(paths.logDir), (pending) => (pending ? events : Effect.void))

      const heartbeat = heartbeatProgram({ ...api, direct: true, print: false }).pipe(
        Effect.provide(Layer.merge(probesLayer(paths), perRun)),
        Effect.as(undefined)
      )

      const sensorInfo = Effect.gen(function* () {
        const outcome = yield* querySensorInfo(api)
        const recorded = yield* recordSensorInfo(outcome)
        if (recorded.warning !== undefined) yield* out.err(line("run", `sensor-info: warning: ${recorded.warning}`))
        if (outcome.failure !== undefined) return yield* Effect.fail(new Error(String(outcome.result["response"])))
        return `sensor-info: ${JSON.stringify(outcome.result)}`
      }).pipe(Effect.provide(perRun))

      const rules = Effect.gen(function* () {
        const r = yield* rulesUpdate({
          ...api,
          force: false,
          categories,
          reloadCommand: decoded.reloadCommand,
          pidfile: paths.suricataPidfile
        })
        for (const w of r.warnings) yield* out.err(line("run", `rules update: warning: ${w}`))
        if (r.fault !== "none") return yield* Effect.fail(new Error(r.message))
        return `rules update: ${r.message}`
      }).pipe(Effect.provide(Layer.merge(rulesStoreLayer(paths), perRun)))

      // Tasks run on real time whatever clock the schedule runs on (`--tick`).
      const realClock = Clock.make()
      const real = <A, E, R>(task: Effect.Effect<A, E, R>) => Effect.withClock(task, realClock)
      const tasks: Tasks<EveLog | Output | StateStore | Credentials.Credentials | Processes | HostNetworks> = {
        ...(enabled.has("events") ? { events: real(eventsIfPending) } : {}),
        ...(enabled.has("heartbeat") ? { heartbeat: real(heartbeat) } : {}),
        ...(enabled.has("sensorInfo") ? { sensorInfo: real(sensorInfo) } : {}),
        ...(enabled.has("rules") ? { rules: real(rules) } : {})
      }

      const r = {
        events: yield* Random.next,
        heartbeat: yield* Random.next,
        sensorInfo: yield* Random.next,
        rules: yield* Random.next
      }
      const plan = drawPlan({ ...defaultRunConfig, rulesAtMs, rulesJitterMs }, r)

      yield* Effect.scoped(
        Effect.gen(function* () {
          const store = yield* StateStore
          if (!(yield* store.runLock("run"))) {
            yield* out.err(line("run", `another run is active (lock beside ${store.path}); exiting`))
            return
          }
          const stop = yield* Deferred.make<void>()
          const processes = yield* Processes
          // SIGTERM or SIGINT stop the agent gracefully; a second one exits at once.
          yield* processes.onStopSignals({
            first: (s) => Effect.zipRight(out.err(line("run", `${s}: stopping; runs in progress may finish first`)), Deferred.succeed(stop, undefined)),
            again: (s) => out.err(line("run", `${s} again: exiting now`)),
            exitCode: ExitCode.failure
          })
          // SIGHUP re-reads the configuration and the agent goes on (Node's default would end it, status 129).
          yield* processes.onReloadSignal(() => reloadDaemonConfig(held, sources, out.err, "the schedule is the flags' (a restart changes it)"))
          const sec = (ms: number) => String(Math.floor(ms / 1000) % 60).padStart(2, "0")
          const min = (ms: number) => String(Math.floor(ms / MINUTE)).padStart(2, "0")
          const parts = [
            enabled.has("events") ? `events every minute at :${sec(plan.eventsPhaseMs)}` : undefined,
            enabled.has("heartbeat") ? `heartbeat hourly at :${min(plan.heartbeatPhaseMs)}:${sec(plan.heartbeatPhaseMs)}` : undefined,
            enabled.has("sensorInfo") ? `sensor info hourly at :${min(plan.sensorInfoPhaseMs)}:${sec(plan.sensorInfoPhaseMs)}` : undefined,
            enabled.has("rules") ? `rules daily at ${formatTimeOfDay(plan.rulesAtMs + plan.rulesJitterMs)} local time` : undefined
          ].filter((p) => p !== undefined)
          yield* out.err(line("run", `started (pid ${processes.pid}): ${parts.join("; ") || "no tasks"}`))

          // On compressed time (`--tick`) the grace and a task's time limit stay what they are in real time.
          const factor = MINUTE / tickMs
          const scheduled = runAgent(tasks, {
            plan, offsetMs: localOffsetMs, stop, graceMs: decoded.graceSeconds * 1000 * factor, taskLimitMs: TASK_LIMIT_MS * factor, startNow: decoded.now
          })
          const agent = factor === 1 ? scheduled : Effect.withClock(scheduled, scaledClock(factor))
          const result =
            web !== undefined && listen !== undefined
              ? yield* Effect.raceFirst(
                  agent,
                  web.serveStatus({
                    host: listen.host,
                    port: listen.port,
                    view: yield* Effect.promise(() => import("../programs/Status.js")).pipe(
                      Effect.map((s) => s.widgetOnly({ ...api, maxAgeMs: s.SERVED_REUSE_MS }).pipe(Effect.provide(perRun)))
                    )
                  })
                )
              : yield* agent
          const failures = Object.values(result.counts).reduce((n, c) => n + c.failures, 0)
          yield* out.err(
            line(
              "run",
              `stopped${result.drained ? "" : ` (runs still in progress after ${decoded.graceSeconds} s were interrupted)`}; ` +
                `${result.counts.events.runs} event runs, ${result.counts.heartbeat.runs} heartbeats, ` +
                `${result.counts.sensorInfo.runs} sensor-info calls, ${result.counts.rules.runs} rules updates, ${failures} failed`
            )
          )
        })
      ).pipe(Effect.provide(accountLayer(paths)))
    })
).pipe(Command.withDescription("the long-running agent: events every minute, heartbeat and sensor info hourly, rules daily"))

