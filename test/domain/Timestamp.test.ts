import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { parseTimestamp } from "../../src/domain/Timestamp.js"

// 2026-11-27T10:00:00.123Z in epoch ms, computed independently of the code under test.
const UTC = Date.parse("2026-11-27T10:00:00.123Z")

describe("parseTimestamp (SPEC section 4)", () => {
  it.each([
    ["2026-11-27T10:00:00.123456+0000", 0],
    ["2026-11-27T10:00:00.123456Z", 0],
    ["2026-11-27T15:30:00.123456+0530", 5 * 60 + 30],
    ["2026-11-27T20:30:00.123456+1030", 10 * 60 + 30],
    ["2026-11-27T03:00:00.123456-0700", -7 * 60],
    ["2026-11-27T15:30:00.123456+05:30", 5 * 60 + 30],
    ["2026-11-27T03:00:00.123456-07:00", -7 * 60],
    ["2026-11-27T12:00:00.123456+02", 2 * 60],
    ["2026-11-27T07:00:00.123456-03", -3 * 60],
    ["2026-11-27T23:45:00.123456+1345", 13 * 60 + 45]
  ])("%s is the same instant as 10:00:00.123Z", (ts) => {
    expect(parseTimestamp(ts)).toBe(UTC)
  })

  it("reads fractions of any length down to the millisecond", () => {
    expect(parseTimestamp("2026-11-27T10:00:00Z")).toBe(UTC - 123)
    expect(parseTimestamp("2026-11-27T10:00:00.1Z")).toBe(UTC - 23)
    expect(parseTimestamp("2026-11-27T10:00:00.123999999Z")).toBe(UTC)
  })

  it("crosses a day boundary with the offset", () => {
    expect(parseTimestamp("2026-01-01T01:00:00.000000+0530")).toBe(Date.parse("2025-12-31T19:30:00Z"))
  })

  it.each([
    "", "yesterday", "2026-11-27", "2026-11-27T10:00:00.123456", "2026-11-27T10:00:00.123456+5", "2026-13-01T00:00:00Z",
    "2026-00-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-31T00:00:00Z", "2026-11-27T24:00:00Z",
    "2026-11-27T10:60:00Z", "2026-11-27T10:00:00+2400", "2026-11-27T10:00:00+0560", "2026-11-27T10:00:00.+0000",
    " 2026-11-27T10:00:00Z", "2026-11-27T10:00:00Z ", "2026-11-27T10:00:00.123456+00000"
  ])("rejects %j", (ts) => {
    expect(parseTimestamp(ts)).toBeUndefined()
  })

  it("agrees with an independent computation for every date, time and offset form", () => {
    const pad = (n: number, w = 2) => String(n).padStart(w, "0")
    fc.assert(
      fc.property(
        fc.date({ min: new Date("1971-01-01T00:00:00Z"), max: new Date("2099-12-31T00:00:00Z"), noInvalidDate: true }),
        fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
        fc.constantFrom("HHMM", "HH:MM", "HH", "Z"),
        fc.nat({ max: 999 }),
        (d, offset, form, micros) => {
          const off = form === "Z" ? 0 : form === "HH" ? Math.trunc(offset / 60) * 60 : offset
          // The wall-clock time at that offset.
          const wall = new Date(d.getTime() + off * 60_000)
          const sign = off < 0 ? "-" : "+"
          const a = Math.abs(off)
          const hh = pad(Math.floor(a / 60))
          const tz = form === "Z" ? "Z" : form === "HH" ? `${sign}${hh}` : `${sign}${hh}${form === "HH:MM" ? ":" : ""}${pad(a % 60)}`
          const text =
            `${wall.getUTCFullYear()}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}T` +
            `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:${pad(wall.getUTCSeconds())}.` +
            `${pad(wall.getUTCMilliseconds(), 3)}${pad(micros, 3)}${tz}`
          expect(parseTimestamp(text)).toBe(d.getTime())
        }
      ),
      { numRuns: 5000 }
    )
  })
})
