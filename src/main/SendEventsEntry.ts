/**
 * `send-events` without @effect/cli: bin.ts starts it when the fast path's parser understood every flag
 * (./SendEventsFastPath.ts), since cron runs this command every minute and @effect/cli alone costs more
 * CPU than a usual run's delivery (BENCHMARKS.md "Issue 14"). The run is the same Effect program as the
 * command's (./SendEventsRun.ts), on the same live layers, failing with the same line and exit code.
 * Named imports of `effect` let the bundle leave out what send-events never uses.
 */
import { Clock, Effect, Random } from "effect"
import { reported } from "./Failure.js"
import { AgentLive } from "./layers.js"
import { runSendEvents, type SendEventsOptions } from "./SendEventsRun.js"

/**
 * Effect seeds its default Random and fixes its clock's nanosecond origin when its modules are evaluated.
 * Started from the startup snapshot (./SendEventsSnapshot.ts) that was when the snapshot was built: every
 * run would draw the same spread delay and jitter, and nanoseconds would be off after a reboot. So this run
 * gets its own, seeded and read now.
 */
const freshClock = (): Clock.Clock => {
  const live = Clock.make()
  const origin = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint()
  const nanos = () => origin + process.hrtime.bigint()
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => Date.now(),
    currentTimeMillis: Effect.sync(() => Date.now()),
    unsafeCurrentTimeNanos: nanos,
    currentTimeNanos: Effect.sync(nanos),
    sleep: (d) => live.sleep(d)
  }
}

export const sendEventsEntry = (options: SendEventsOptions): Promise<void> =>
  Effect.runPromise(
    runSendEvents(options).pipe(
      Effect.provide(AgentLive),
      reported("send-events"),
      Effect.withRandom(Random.make(Math.random())),
      Effect.withClock(freshClock())
    )
  )
