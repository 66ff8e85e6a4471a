/**
 * `send-events` without @effect/cli: bin.ts starts it when the fast path's parser understood every flag
 * (./SendEventsFastPath.ts), since cron runs this command every minute and @effect/cli alone costs more
 * CPU than a usual run's delivery (BENCHMARKS.md "Issue 14"). The run is the same Effect program as the
 * command's (./SendEventsRun.ts), on the same live layers, failing with the same line and exit code.
 * Named imports of `effect` let the bundle leave out what send-events never uses.
 */
import { Effect } from "effect"
import { reported } from "./Failure.js"
import { AgentLive } from "./layers.js"
import { runSendEvents, type SendEventsOptions } from "./SendEventsRun.js"

export const sendEventsEntry = (options: SendEventsOptions): Promise<void> =>
  Effect.runPromise(runSendEvents(options).pipe(Effect.provide(AgentLive), reported("send-events")))
