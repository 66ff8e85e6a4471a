/**
 * `send-heartbeat` (SPEC section 6): probes the sensor, assembles the heartbeat and posts it, with the
 * delivery's retry rules (network errors, 408, 429, 5xx retried with backoff inside a budget; 401/403 stop at
 * once). Before sending, a random delay [0–30 min] spreads the load of many sensors unless `--direct`;
 * `--print` only shows the JSON (no token needed, nothing sent or recorded). The outcome is kept in the agent
 * state as `lastHeartbeat`.
 */
import { Clock, Data, Duration, Effect, Random } from "effect"
import { Output } from "../../adapters/Output.js"
import { Credentials } from "../../adapters/Credentials.js"
import { StateStore } from "../../adapters/StateStore.js"
import { SystemProbe } from "../../adapters/SystemProbe.js"
import * as TelemetryApi from "../../adapters/TelemetryApi.js"
import type { TaskResult } from "../../domain/AgentState.js"
import { assembleHeartbeat, type HeartbeatBody, problems } from "../../domain/Heartbeat.js"
import { redact } from "../../domain/Token.js"
import { defaultPolicy, RetryBudget, type RetryPolicy, retryWaitLine, runDeadlineMs, schedule } from "../../domain/Retry.js"
import { TransportError } from "../../domain/ApiError.js"
import { line } from "../Failure.js"
import { type ApiOptions, describeApiError } from "./SensorInfo.js"
import type { SendHeartbeatOptions } from "./SendHeartbeatOptions.js"

/** What the program reads: the API settings, `--direct` and `--print` of send-heartbeat's Schema (./SendHeartbeatOptions.ts), and test knobs. */
export type HeartbeatOptions = ApiOptions &
  Pick<SendHeartbeatOptions, "direct" | "print"> & {
    /** Longest spread delay [30 min]. */
    readonly maxDelayMs?: number
    readonly retry?: RetryPolicy
  }

export const MAX_SPREAD_MS = 1_800_000

/** Before `--print`'s notes: why a key holds null, {}, 0, "IDS", "NOTFOUND" or "ERROR" (SPEC section 6). */
export const PRINT_NOTES_INTRO =
  'what could not be read is sent as the stock plugin sends it (a missing file: ruleset_version null, rule counts 0, ' +
  'mode "IDS", log_stats {}; a missing program: "NOTFOUND"; any other failure: "ERROR"); key, value sent, why:'

/** The service refused the token (401/403): exit 3 at the CLI (src/main/Failure.ts maps the tag). */
export class HeartbeatRefused extends Data.TaggedError("TokenRefused")<{ readonly message: string }> {}

/** The heartbeat was not delivered (retries spent, or an answer that is not the API's): exit 1. */
export class HeartbeatFailed extends Data.TaggedError("HeartbeatFailed")<{ readonly message: string }> {}

const say = (text: string) => Effect.flatMap(Output, (o) => o.err(line("send-heartbeat", text)))

/** The heartbeat as it would be sent now. */
export const currentHeartbeat = Effect.gen(function* () {
  const facts = yield* Effect.flatMap(SystemProbe, (p) => p.facts)
  const now = yield* Clock.currentTimeMillis
  return { body: assembleHeartbeat(facts, now), problems: problems(facts) }
})

const record = (result: TaskResult) =>
  Effect.flatMap(StateStore, (s) => s.modify((st) => ({ ...st, lastHeartbeat: result }))).pipe(
    Effect.catchAll((e) => say(`warning: ${e.message}`))
  )

export const heartbeatProgram = (o: HeartbeatOptions) =>
  Effect.gen(function* () {
    const out = yield* Output
    if (o.print) {
      const { body, problems: notes } = yield* currentHeartbeat
      yield* out.out(JSON.stringify(body) + "\n")
      if (notes.length > 0) yield* say(PRINT_NOTES_INTRO)
      for (const n of notes) yield* say(`note: ${n}`)
      return { sent: false as const, body }
    }

    const token = yield* Effect.flatMap(Credentials, (c) => c.token)
    for (const w of token.warnings) yield* say(`warning: ${w}`)

    if (!o.direct) {
      const maxDelay = o.maxDelayMs ?? MAX_SPREAD_MS
      const delay = yield* Random.nextIntBetween(0, maxDelay + 1)
      if (out.isTTY) yield* say(`waiting ${Math.round(delay / 1000)} s to spread the load (--direct skips this)`)
      yield* Effect.sleep(Duration.millis(delay))
    }

    const { body, problems: notes } = yield* currentHeartbeat
    const policy = o.retry ?? defaultPolicy
    const url = `${o.baseUrl.replace(/\/+$/, "")}/api/v1/telemetry`
    const deadline = runDeadlineMs(policy, o.timeoutMs)
    const sent = yield* Effect.flatMap(TelemetryApi.TelemetryApi, (api) =>
      api.postHeartbeat(body).pipe(
        Effect.retry(
          schedule({ policy, budget: new RetryBudget(policy.budgetMs), beforeWait: (_ms, _e, wait) => say(retryWaitLine(wait)) })
        )
      )
    ).pipe(
      // The run's own bound (issue 15), over every attempt and wait.
      Effect.timeoutFail({
        duration: deadline,
        onTimeout: () => new TransportError({ url, reason: "timeout", message: `no answer from ${url} within the run's ${deadline} ms` })
      }),
      Effect.either
    )
    const at = yield* Clock.currentTimeMillis
    if (sent._tag === "Right") {
      const missing = notes.length === 0 ? "" : `; ${notes.length} facts missing or odd (send-heartbeat --print says which)`
      const message = `heartbeat accepted by ${url}${missing}`
      yield* record({ at, ok: true, message })
      yield* say(message)
      for (const n of notes) yield* say(`note: ${n}`)
      return { sent: true as const, body }
    }
    const { reason, kind } = describeApiError(sent.left)
    const safe = redact(reason, token.token)
    if (kind === "refused") {
      const spaces = token.trimmed ? " (it had leading/trailing spaces, which were trimmed)" : ""
      const message = `the service refused the token${spaces}: ${safe}`
      yield* record({ at, ok: false, message })
      return yield* new HeartbeatRefused({ message })
    }
    const message = `heartbeat not delivered: ${safe}`
    yield* record({ at, ok: false, message })
    return yield* new HeartbeatFailed({ message })
  })

export type { HeartbeatBody }
