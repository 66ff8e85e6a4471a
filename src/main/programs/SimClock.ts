/**
 * A simulated Clock for `replay`: time stands still until `set` moves it; a sleep ends when the time passes
 * its end (as on Effect's TestClock, whose every move first polls all fibers with timers: ~10 ms a move here,
 * most of a replay's time). `wakes` lists the ends of the sleeps pending, for a driver that passes them.
 */
import { Clock, Duration, Effect } from "effect"

export interface SimClock {
  readonly clock: Clock.Clock
  readonly now: () => number
  /** Moves the time to `ms` (never back) and ends the sleeps due by then, earliest first. */
  readonly set: (ms: number) => Effect.Effect<void>
  /** The ends of the sleeps pending. */
  readonly wakes: () => ReadonlyArray<number>
}

export const makeSimClock = (startMs: number): SimClock => {
  let now = startMs
  let sleeps: Array<{ readonly at: number; readonly wake: () => void }> = []
  // A jittered wait ends at a fractional millisecond; BigInt takes integers only.
  const nanos = () => BigInt(Math.trunc(now)) * 1_000_000n
  const clock: Clock.Clock = {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => now,
    currentTimeMillis: Effect.sync(() => now),
    unsafeCurrentTimeNanos: nanos,
    currentTimeNanos: Effect.sync(nanos),
    sleep: (d) =>
      Effect.async<void>((resume) => {
        const ms = Duration.toMillis(d)
        if (ms <= 0) return resume(Effect.void)
        const entry = { at: now + ms, wake: () => resume(Effect.void) }
        sleeps.push(entry)
        return Effect.sync(() => void (sleeps = sleeps.filter((e) => e !== entry)))
      })
  }
  const set = (ms: number) =>
    Effect.sync(() => {
      if (ms > now) now = ms
      const due = sleeps.filter((e) => e.at <= now).sort((a, b) => a.at - b.at)
      if (due.length === 0) return
      sleeps = sleeps.filter((e) => e.at > now)
      for (const e of due) e.wake()
    })
  return { clock, now: () => now, set, wakes: () => sleeps.map((e) => e.at) }
}
