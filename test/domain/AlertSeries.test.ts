import { describe, expect, it } from "@effect/vitest"
import type { HourBucket } from "../../src/domain/AgentState.js"
import { alertSeries } from "../../src/domain/AlertSeries.js"

const HOUR = 3_600_000
const DAY = 24 * HOUR
const NOW = Date.parse("2026-11-27T10:30:00Z")
const H = Math.floor(NOW / HOUR) * HOUR
const iso = (t: number) => new Date(t).toISOString()
const b = (hour: number, sent: number, seen?: number): HourBucket =>
  seen === undefined ? { hour, sent, rejected: 0, expired: 0 } : { hour, sent, seen, rejected: 0, expired: 0 }

describe("alertSeries", () => {
  it("24 hourly points ending with the current hour; 7 UTC days ending with today; seen and sent summed", () => {
    const s = alertSeries([
      b(H, 3, 5),
      b(H - HOUR, 1, 1),
      b(H - 23 * HOUR, 2, 4),
      b(H - 24 * HOUR, 9, 9), // outside the 24 h, inside yesterday
      b(Date.parse("2026-11-21T05:00:00Z"), 6, 8), // six days ago: the first day shown
      b(Date.parse("2026-11-20T23:00:00Z"), 100, 100) // seven days ago: not shown
    ], NOW)
    expect(s.hourly).toHaveLength(24)
    expect(s.hourly[0]).toEqual({ hour: iso(H - 23 * HOUR), seen: 4, sent: 2 })
    expect(s.hourly[22]).toEqual({ hour: iso(H - HOUR), seen: 1, sent: 1 })
    expect(s.hourly[23]).toEqual({ hour: iso(H), seen: 5, sent: 3 })
    expect(s.hourly[10]).toEqual({ hour: iso(H - 13 * HOUR), seen: 0, sent: 0 })
    expect(s.daily.map((d) => d.day)).toEqual(
      ["2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27"].map((d) => `${d}T00:00:00.000Z`)
    )
    expect(s.daily[0]).toEqual({ day: "2026-11-21T00:00:00.000Z", seen: 8, sent: 6 })
    expect(s.daily[6]).toEqual({ day: "2026-11-27T00:00:00.000Z", seen: 5 + 1, sent: 3 + 1 })
    expect(s.daily[5]).toEqual({ day: "2026-11-26T00:00:00.000Z", seen: 4 + 9, sent: 2 + 9 })
    expect(s.last24h).toEqual({ sent: 6, rejected: 0, expired: 0 })
    expect(s.daily.slice(1, 5).every((d) => d.seen === 0 && d.sent === 0)).toBe(true)
  })

  it("a slot with a bucket from a version that did not count seen has seen null (not known), not a made-up 0", () => {
    const s = alertSeries([b(H, 3), b(H, 0, 2), b(H - DAY, 1, 1)], NOW)
    expect(s.hourly[23]).toEqual({ hour: iso(H), seen: null, sent: 3 })
    expect(s.daily[6]!.seen).toBeNull()
    expect(s.daily[5]!.seen).toBe(1)
  })
})
