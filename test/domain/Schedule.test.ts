import { describe, expect, it } from "vitest"
import {
  DAY,
  defaultRunConfig,
  drawPlan,
  formatTimeOfDay,
  HOUR,
  MINUTE,
  nextDaily,
  nextPeriodic,
  nextRun,
  parseTimeOfDay
} from "../../src/domain/Schedule.js"

const utc = () => 0

describe("nextPeriodic", () => {
  it("gives the first slot strictly after now", () => {
    expect(nextPeriodic(0, MINUTE, 0)).toBe(MINUTE)
    expect(nextPeriodic(0, MINUTE, 15_000)).toBe(15_000)
    expect(nextPeriodic(15_000, MINUTE, 15_000)).toBe(75_000)
    expect(nextPeriodic(14_999, MINUTE, 15_000)).toBe(15_000)
    expect(nextPeriodic(10 * HOUR + 1, HOUR, 20 * MINUTE)).toBe(10 * HOUR + 20 * MINUTE)
  })

  it("skips slots that passed while a run was busy, never queues them", () => {
    // A run that started at the 15 s slot and took 150 s: next is the first slot after it ended.
    expect(nextPeriodic(15_000 + 150_000, MINUTE, 15_000)).toBe(195_000)
  })
})

describe("nextDaily", () => {
  const t0 = Date.UTC(2026, 10, 27, 0, 0)
  it("runs at the local time asked for, today or tomorrow", () => {
    expect(nextDaily(t0, 3 * HOUR, 0, utc)).toBe(t0 + 3 * HOUR)
    expect(nextDaily(t0 + 3 * HOUR, 3 * HOUR, 0, utc)).toBe(t0 + DAY + 3 * HOUR)
    expect(nextDaily(t0, 3 * HOUR, 25 * MINUTE, utc)).toBe(t0 + 3 * HOUR + 25 * MINUTE)
  })

  it("honours the local offset (03:00 in UTC+2 is 01:00 UTC; in UTC-5, 08:00 UTC)", () => {
    expect(nextDaily(t0, 3 * HOUR, 0, () => 2 * HOUR)).toBe(t0 + 1 * HOUR)
    expect(nextDaily(t0, 3 * HOUR, 0, () => -5 * HOUR)).toBe(t0 + 8 * HOUR)
  })

  it("lands on the local time after a daylight-saving change", () => {
    // Offset +1 h until t0 + 2 h, +2 h afterwards: 03:00 local is then 01:00 UTC.
    const change = t0 + 2 * HOUR
    const offset = (t: number) => (t < change ? HOUR : 2 * HOUR)
    const at = nextDaily(t0 + 12 * HOUR, 3 * HOUR, 0, offset)
    expect(at).toBe(t0 + DAY + 1 * HOUR)
    expect((at + offset(at)) % DAY).toBe(3 * HOUR)
  })
})

describe("plans", () => {
  it("draws phases inside their spreads", () => {
    const low = drawPlan(defaultRunConfig, { events: 0, heartbeat: 0, sensorInfo: 0, rules: 0 })
    const high = drawPlan(defaultRunConfig, { events: 0.999999, heartbeat: 0.999999, sensorInfo: 0.999999, rules: 0.999999 })
    expect(low).toMatchObject({ eventsPhaseMs: 0, heartbeatPhaseMs: 0, rulesJitterMs: 0 })
    expect(high.eventsPhaseMs).toBeLessThan(MINUTE)
    expect(high.heartbeatPhaseMs).toBeLessThan(30 * MINUTE)
    expect(high.sensorInfoPhaseMs).toBeLessThan(30 * MINUTE)
    expect(high.rulesJitterMs).toBeLessThan(HOUR)
  })

  it("gives each task its period", () => {
    const plan = drawPlan(defaultRunConfig, { events: 0.5, heartbeat: 0.5, sensorInfo: 0.25, rules: 0.5 })
    expect(nextRun("events", plan, 0, utc)).toBe(30_000)
    expect(nextRun("heartbeat", plan, 0, utc)).toBe(15 * MINUTE)
    expect(nextRun("sensorInfo", plan, 0, utc)).toBe(7.5 * MINUTE)
    expect(nextRun("rules", plan, 0, utc)).toBe(3 * HOUR + 30 * MINUTE)
  })

  it("parses and prints times of day", () => {
    expect(parseTimeOfDay("03:30")).toBe(3.5 * HOUR)
    expect(parseTimeOfDay("3:05")).toBe(3 * HOUR + 5 * MINUTE)
    expect(parseTimeOfDay("24:00")).toBeUndefined()
    expect(parseTimeOfDay("12:60")).toBeUndefined()
    expect(formatTimeOfDay(23 * HOUR + 59 * MINUTE)).toBe("23:59")
  })
})
