/**
 * The process and its neighbours as a service: the stop signals of the long-running agent (SIGTERM/SIGINT)
 * and its reload signal (SIGHUP),
 * and the reload of Suricata after a rules install (USR2 to its pidfile's process, or `--reload-command`,
 * ./SuricataReload.ts). Programs and commands ask for it; the live layer is chosen in src/main/layers.ts,
 * the test layer records what was asked and raises signals on demand.
 */
import { Context, Effect, Layer, type Scope } from "effect"
import type { ReloadResult } from "./SuricataReload.js"

export type { ReloadResult } from "./SuricataReload.js"

export type StopSignal = "SIGTERM" | "SIGINT"

export interface StopHandlers {
  /** The first SIGTERM/SIGINT: the agent begins to stop. */
  readonly first: (signal: StopSignal) => Effect.Effect<void>
  /** A second one: said, then the process exits at once with `exitCode`. */
  readonly again: (signal: StopSignal) => Effect.Effect<void>
  readonly exitCode: number
}

export interface ProcessesService {
  /** This process's id (the agent's `started` line). */
  readonly pid: number
  /** Listens for the stop signals while the scope lasts. */
  readonly onStopSignals: (handlers: StopHandlers) => Effect.Effect<void, never, Scope.Scope>
  /**
   * Listens for SIGHUP (re-read the configuration) while the scope lasts: `handler` runs for each one. Without
   * a listener Node ends the process at SIGHUP (status 129), so after the scope one that does nothing stays.
   */
  readonly onReloadSignal: (handler: () => Effect.Effect<void>) => Effect.Effect<void, never, Scope.Scope>
  /** USR2 to the process in Suricata's pidfile; never fails (a problem is in the result). */
  readonly reloadSuricata: (pidfile: string) => Effect.Effect<ReloadResult>
  /** Runs `--reload-command` (no shell) with a time limit; never fails. */
  readonly runReloadCommand: (command: string, timeoutMs: number) => Effect.Effect<ReloadResult>
}

export class Processes extends Context.Tag("etpro/Processes")<Processes, ProcessesService>() {}

// The reload's modules (child_process) load only when rules were installed: cron's send-events never needs them.
const reloads = Effect.promise(() => import("./SuricataReload.js"))

const lateStop = () => process.exit()
// A reload asked for while the agent stops (rc.d's `reload` during a stop) has nothing left to re-read.
const lateHangup = () => undefined

// Layer.sync: the pid is read when the layer is built, not when the module loads.
export const layer: Layer.Layer<Processes> = Layer.sync(Processes, () => ({
  pid: process.pid,
  onStopSignals: (h) =>
    Effect.acquireRelease(
      Effect.sync(() => {
        let seen = 0
        const handler = (signal: StopSignal) => {
          seen++
          if (seen > 1) {
            Effect.runSync(h.again(signal))
            process.exit(h.exitCode)
          }
          Effect.runFork(h.first(signal))
        }
        process.on("SIGTERM", handler)
        process.on("SIGINT", handler)
        return handler
      }),
      (handler) =>
        Effect.sync(() => {
          // The agent has stopped; the process may take a moment more to end (the last write, the pool's
          // close). A stop signal then (systemd's, or a second kill) ends it with the code already decided,
          // rather than by Node's default (death by the signal, which a service manager reports as failure).
          // Added before the handler goes: when a signal's last listener is removed Node gives the signal back
          // to the system's default, and a SIGTERM landing between an `off` and an `on` killed the process.
          if (!process.listeners("SIGTERM").includes(lateStop)) {
            process.on("SIGTERM", lateStop)
            process.on("SIGINT", lateStop)
          }
          process.off("SIGTERM", handler)
          process.off("SIGINT", handler)
        })
    ),
  onReloadSignal: (h) =>
    Effect.acquireRelease(
      Effect.sync(() => {
        const handler = () => void Effect.runFork(h())
        process.on("SIGHUP", handler)
        return handler
      }),
      (handler) =>
        Effect.sync(() => {
          // As for the stop signals: without a listener SIGHUP would end the stopping process (status 129).
          if (!process.listeners("SIGHUP").includes(lateHangup)) process.on("SIGHUP", lateHangup)
          process.off("SIGHUP", handler)
        })
    ),
  reloadSuricata: (pidfile) => Effect.flatMap(reloads, (r) => r.signalSuricata(pidfile)),
  runReloadCommand: (command, timeoutMs) => Effect.flatMap(reloads, (r) => r.runReloadCommand(command, timeoutMs))
}))

/** What a test layer was asked, and a way to raise a stop signal. */
export interface ProcessesProbe {
  readonly reloads: Array<{ readonly pidfile: string } | { readonly command: string; readonly timeoutMs: number }>
  /** Raises a stop signal as the system would (a second one records `exited` instead of exiting). */
  readonly raise: (signal: StopSignal) => Effect.Effect<void>
  /** Raises SIGHUP: runs the reload handler, if one listens. */
  readonly hangup: () => Effect.Effect<void>
  readonly exited: Array<number>
}

/** Test layer: reloads answer `result`, signals come from `probe.raise`, nothing touches the process. */
export const layerTest = (
  result: ReloadResult = { note: "reloaded (test)" }
): { readonly layer: Layer.Layer<Processes>; readonly probe: ProcessesProbe } => {
  let handlers: StopHandlers | undefined
  let onHangup: (() => Effect.Effect<void>) | undefined
  let seen = 0
  const probe: ProcessesProbe = {
    reloads: [],
    exited: [],
    raise: (signal) =>
      Effect.suspend(() => {
        if (handlers === undefined) return Effect.void
        const h = handlers
        seen++
        return seen > 1 ? Effect.zipRight(h.again(signal), Effect.sync(() => void probe.exited.push(h.exitCode))) : h.first(signal)
      }),
    hangup: () => Effect.suspend(() => (onHangup === undefined ? Effect.void : onHangup()))
  }
  const layer = Layer.succeed(Processes, {
    pid: 4242,
    onStopSignals: (h) =>
      Effect.acquireRelease(
        Effect.sync(() => {
          handlers = h
          seen = 0
        }),
        () => Effect.sync(() => void (handlers = undefined))
      ),
    onReloadSignal: (h) =>
      Effect.acquireRelease(Effect.sync(() => void (onHangup = h)), () => Effect.sync(() => void (onHangup = undefined))),
    reloadSuricata: (pidfile) => Effect.sync(() => (probe.reloads.push({ pidfile }), result)),
    runReloadCommand: (command, timeoutMs) => Effect.sync(() => (probe.reloads.push({ command, timeoutMs }), result))
  })
  return { layer, probe }
}
