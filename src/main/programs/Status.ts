/**
 * `status` (SPEC section 7): the widget. Asks the service for the sensor's license record (as `sensor-info`
 * does, recording the answer); when the service cannot be reached (network, timeout, 5xx, bad JSON) the status
 * is `unreachable`, with the last `ok` answer beside it as last known. A 4xx or a missing token is shown as it
 * is: that is the answer. `--check` turns the view into one line and a monitoring-plugin exit code.
 */
import { Clock, Effect } from "effect"
import { Output } from "../../adapters/Output.js"
import { Credentials } from "../../adapters/Credentials.js"
import { redactDeep } from "../../domain/Token.js"
import type { TelemetryApi } from "../../adapters/TelemetryApi.js"
import { StateStore } from "../../adapters/StateStore.js"
import { type AgentState, emptyState } from "../../domain/AgentState.js"
import { renderWidget, type SensorInfoAnswer, widgetView, type WidgetView } from "../../domain/Widget.js"
import { statusCheck } from "../../domain/StatusCheck.js"
import { line } from "../Failure.js"
import type { StatusOptions } from "./StatusOptions.js"
import { type ApiOptions, type FailureKind, querySensorInfo, recordSensorInfo } from "./SensorInfo.js"

/** A lookup of the license status: the API settings and how long an answer is reused. */
export interface StatusLookup extends ApiOptions {
  /**
   * Reuse a recorded answer younger than this instead of asking the service again [0: always ask]. Never a
   * failed one: after a failure the service is asked again at once.
   */
  readonly maxAgeMs?: number
}

/**
 * The served page and `/api/status`: several tabs (each refreshing every minute) share one answer for this
 * long, so a failure shows within a refresh, not after minutes of a reused green answer.
 */
export const SERVED_REUSE_MS = 30_000

/** The served view after a failed lookup is reused this long [10 s], so an outage is not hammered. */
export const FAILED_REUSE_MS = 10_000

/** Failures after which an earlier answer is still the best information there is. */
const UNREACHABLE: ReadonlyArray<FailureKind> = ["transport", "http5xx", "bad-response", "internal"]

/** The widget's view now; never fails (a broken state file shows as an empty one, with a note). */
export const statusView = (
  o: StatusLookup
): Effect.Effect<WidgetView & { readonly warnings: ReadonlyArray<string> }, never, Credentials | StateStore | TelemetryApi> =>
  Effect.map(lookedUp(o), (r) => r.view)

/** The view, and whether the service was asked and failed to answer. */
const lookedUp = (
  o: StatusLookup
): Effect.Effect<{ readonly view: WidgetView & { readonly warnings: ReadonlyArray<string> }; readonly failed: boolean }, never, Credentials | StateStore | TelemetryApi> =>
  Effect.gen(function* () {
    const store = yield* StateStore
    const warnings: Array<string> = []
    const loaded = yield* store.load.pipe(
      Effect.map((l) => {
        if (l.problem !== undefined) warnings.push(l.problem)
        return l.state
      }),
      Effect.catchAll((e) => Effect.sync(() => (warnings.push(e.message), emptyState)))
    )
    let state: AgentState = loaded
    const now0 = yield* Clock.currentTimeMillis
    const recent = state.lastSensorInfo
    let shown: SensorInfoAnswer | undefined
    let unreachable: string | undefined
    let failed = false
    // A recent answer is reused unless it was a failure: then the service is asked again (and, if it is still
    // unreachable, the last good answer is shown as below).
    const reusable = recent !== undefined && recent.result["status"] !== "failed" && o.maxAgeMs !== undefined &&
      o.maxAgeMs > 0 && now0 - recent.at < o.maxAgeMs && recent.at <= now0
    if (reusable) {
      shown = recent
    } else {
      const outcome = yield* querySensorInfo(o)
      warnings.push(...outcome.warnings)
      const recorded = yield* recordSensorInfo(outcome)
      if (recorded.warning !== undefined) warnings.push(recorded.warning)
      state = recorded.state ?? { ...state, lastSensorInfo: { at: outcome.at, result: outcome.result } }
      const previous = state.lastSensorInfoOk ?? loaded.lastSensorInfoOk
      failed = outcome.failure !== undefined
      if (outcome.failure !== undefined && UNREACHABLE.includes(outcome.failure)) {
        shown = previous
        unreachable = String(outcome.result["response"])
      } else shown = { at: outcome.at, result: outcome.result }
    }
    const now = yield* Clock.currentTimeMillis
    const view = widgetView({ sensorInfo: shown, unreachable, state, now, configPath: o.configPath })
    // Printed and served: nothing of the token, whatever an older version stored or the service echoed.
    const token = yield* Effect.flatMap(Credentials, (c) => c.token).pipe(Effect.map((t) => t.token), Effect.orElseSucceed(() => ""))
    return { view: redactDeep({ ...view, warnings }, token) as WidgetView & { readonly warnings: ReadonlyArray<string> }, failed }
  })

/**
 * Just the WidgetView (what `/api/status` serves), warnings left out. Served (`maxAgeMs` > 0), one view is
 * computed at a time, and one whose lookup failed is served again for FAILED_REUSE_MS: a burst of requests
 * (many tabs, a reload loop) during an outage costs the service one lookup, not one each. A good answer is
 * reused from the state as `maxAgeMs` says.
 */
export const widgetOnly = (o: StatusLookup): Effect.Effect<WidgetView, never, Credentials | StateStore | TelemetryApi> => {
  const strip = ({ warnings: _w, ...view }: WidgetView & { readonly warnings: ReadonlyArray<string> }): WidgetView => view
  if (o.maxAgeMs === undefined || o.maxAgeMs <= 0) return Effect.map(statusView(o), strip)
  const reuseMs = Math.min(FAILED_REUSE_MS, o.maxAgeMs)
  const one = Effect.unsafeMakeSemaphore(1)
  let failure: { readonly at: number; readonly view: WidgetView } | undefined
  return one.withPermits(1)(
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      if (failure !== undefined && failure.at <= now && now - failure.at < reuseMs) return failure.view
      const r = yield* lookedUp(o)
      const view = strip(r.view)
      failure = r.failed ? { at: yield* Clock.currentTimeMillis, view } : undefined
      return view
    })
  )
}

/** `check`: print one monitoring line instead, and return its exit code with the view. */
export const statusProgram = (
  o: StatusLookup & Pick<StatusOptions, "json"> & { readonly check?: Pick<StatusOptions, "unreachableAfterMs"> | undefined }
) =>
  Effect.gen(function* () {
    const out = yield* Output
    const { warnings, ...view } = yield* statusView(o)
    for (const w of warnings) yield* out.err(line("status", `warning: ${w}`))
    if (o.check !== undefined) {
      const result = statusCheck(view, o.check.unreachableAfterMs)
      yield* out.out(result.line + "\n")
      return { view, code: result.code }
    }
    yield* out.out(o.json ? JSON.stringify(view) + "\n" : renderWidget(view))
    return { view, code: undefined }
  })
