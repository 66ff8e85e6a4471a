/**
 * A clock on which time runs `factor` times faster than real time from the moment it is made: `run --tick`
 * (a bench and test aid) runs the daemon's schedule on it, so a day of minutes passes in a few minutes.
 * Sleeps are real sleeps of 1/factor their length.
 */
import { Clock, Duration, Effect } from "effect"

export const scaledClock = (factor: number): Clock.Clock => {
  const live = Clock.make()
  const originMs = Date.now()
  const originPerf = performance.now()
  const nowMs = () => originMs + (performance.now() - originPerf) * factor
  const nanos = () => BigInt(Math.floor(nowMs() * 1_000_000))
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => Math.floor(nowMs()),
    currentTimeMillis: Effect.sync(() => Math.floor(nowMs())),
    unsafeCurrentTimeNanos: nanos,
    currentTimeNanos: Effect.sync(nanos),
    sleep: (d) => live.sleep(Duration.millis(Duration.toMillis(d) / factor))
  }
}
