/**
 * When the long-running agent (`run`) does each task (SPEC section 10, issue 6): events every minute,
 * heartbeat and sensor info hourly, rules daily at a configurable local time. Each sensor spreads its load
 * with a phase drawn once at start — within the minute for events, within the first [30 min] of the hour
 * for heartbeat and sensor info (the one-shot commands' random delays), and a jitter [≤ 1 h] after the
 * daily rules time — so thousands of sensors started by the same rc script do not call at the same second.
 *
 * Pure: times are epoch milliseconds passed in; random draws are passed in as numbers in [0, 1). A slot that
 * passes while a task is still running is skipped, never queued: the next run is the first slot strictly
 * after the moment the previous one finished.
 */
import { Effect, Schedule, ScheduleDecision, ScheduleInterval } from "effect"

export const MINUTE = 60_000
export const HOUR = 3_600_000
export const DAY = 86_400_000

export interface RunConfig {
  /** Largest events phase within the minute [60 s). */
  readonly eventsSpreadMs: number
  /** Largest heartbeat delay after the hour [1800 s]. */
  readonly heartbeatSpreadMs: number
  /** Largest sensor-info delay after the hour [1800 s]. */
  readonly sensorInfoSpreadMs: number
  /** Local time of day of the rules update, ms after midnight [03:00]. */
  readonly rulesAtMs: number
  /** Largest delay after `rulesAtMs` [1 h]. */
  readonly rulesJitterMs: number
}

export const defaultRunConfig: RunConfig = {
  eventsSpreadMs: MINUTE,
  heartbeatSpreadMs: 1800_000,
  sensorInfoSpreadMs: 1800_000,
  rulesAtMs: 3 * HOUR,
  rulesJitterMs: HOUR
}

/** Offsets chosen once per process. */
export interface RunPlan {
  readonly eventsPhaseMs: number
  readonly heartbeatPhaseMs: number
  readonly sensorInfoPhaseMs: number
  readonly rulesAtMs: number
  readonly rulesJitterMs: number
}

/** Draws the plan from four numbers in [0, 1). */
export const drawPlan = (
  c: RunConfig,
  r: { readonly events: number; readonly heartbeat: number; readonly sensorInfo: number; readonly rules: number }
): RunPlan => ({
  eventsPhaseMs: Math.floor(r.events * Math.min(c.eventsSpreadMs, MINUTE)),
  heartbeatPhaseMs: Math.floor(r.heartbeat * Math.min(c.heartbeatSpreadMs, HOUR)),
  sensorInfoPhaseMs: Math.floor(r.sensorInfo * Math.min(c.sensorInfoSpreadMs, HOUR)),
  rulesAtMs: c.rulesAtMs,
  rulesJitterMs: Math.floor(r.rules * c.rulesJitterMs)
})

/** The first time strictly after `now` of the form k·period + phase (k an integer, epoch-aligned). */
export const nextPeriodic = (now: number, periodMs: number, phaseMs: number): number => {
  const slot = Math.floor((now - phaseMs) / periodMs) * periodMs + phaseMs
  return slot > now ? slot : slot + periodMs
}

/**
 * The first time strictly after `now` whose local time of day is `atMs + jitterMs` (mod one day).
 * `offsetMs(t)` is local time minus UTC at `t` (e.g. +1 h in CET); it is asked again at the answer, so a
 * daylight-saving change between now and then still lands on the local time asked for.
 */
export const nextDaily = (now: number, atMs: number, jitterMs: number, offsetMs: (t: number) => number): number => {
  const target = (((atMs + jitterMs) % DAY) + DAY) % DAY
  const onLocalDayOf = (t: number, offset: number) => Math.floor((t + offset) / DAY) * DAY + target - offset
  let t = onLocalDayOf(now, offsetMs(now))
  if (t <= now) t += DAY
  // Daylight saving: the offset in force at that moment decides which UTC instant is `target` local time.
  const corrected = onLocalDayOf(t, offsetMs(t))
  return corrected > now ? corrected : corrected + DAY
}

export type TaskName = "events" | "heartbeat" | "sensorInfo" | "rules"

/** The next run of each task after `now`. */
export const nextRun = (task: TaskName, plan: RunPlan, now: number, offsetMs: (t: number) => number): number => {
  switch (task) {
    case "events":
      return nextPeriodic(now, MINUTE, plan.eventsPhaseMs)
    case "heartbeat":
      return nextPeriodic(now, HOUR, plan.heartbeatPhaseMs)
    case "sensorInfo":
      return nextPeriodic(now, HOUR, plan.sensorInfoPhaseMs)
    case "rules":
      return nextDaily(now, plan.rulesAtMs, plan.rulesJitterMs, offsetMs)
  }
}

/**
 * An Effect `Schedule` that fires at the times `next` gives: used with `Effect.schedule`, which waits for the
 * first slot, runs the task, then waits for the first slot after it finished. Its output is the slot time.
 */
export const fromNext = (
  next: (now: number) => number,
  opts: { readonly immediately?: boolean } = {}
): Schedule.Schedule<number, unknown> =>
  Schedule.makeWithState<boolean, unknown, number>(opts.immediately === true, (now, _in, first) => {
    // `immediately`: the first run at once (e.g. `run --now` after a reboot), then on the slots.
    const at = first ? now : next(now)
    return Effect.succeed([false, at, ScheduleDecision.continueWith(ScheduleInterval.after(at))] as const)
  })

/** `HH:MM` (24-hour) → ms after midnight. */
export const parseTimeOfDay = (s: string): number | undefined => {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(s.trim())
  return m === null ? undefined : Number(m[1]) * HOUR + Number(m[2]) * MINUTE
}

export const formatTimeOfDay = (ms: number): string => {
  const m = Math.floor((((ms % DAY) + DAY) % DAY) / MINUTE)
  return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`
}
