import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { isTimestampText, parseTimestamp } from "../../src/domain/Timestamp.js"

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

  // The parser reads by position; the format is this regex, and the reading the regex's captures (the parser
  // as it was before): both must agree on every text, in and out of the format.
  const FORMAT = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)$/
  const byRegex = (s: string): number | undefined => {
    const m = FORMAT.exec(s)
    if (m === null) return undefined
    const [, y, mo, d, h, mi, se, frac, tz] = m
    const [month, day, hour, minute, second] = [mo, d, h, mi, se].map(Number) as [number, number, number, number, number]
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined
    const ms = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000)
    let offsetMin = 0
    if (tz !== "Z") {
      const digits = tz!.slice(1).replace(":", "")
      const oh = Number(digits.slice(0, 2))
      const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0
      if (oh > 23 || om > 59) return undefined
      offsetMin = (tz!.startsWith("-") ? -1 : 1) * (oh * 60 + om)
    }
    const utc = Date.UTC(Number(y), month - 1, day, hour, minute, second, ms)
    if (new Date(utc).getUTCDate() !== day && second !== 60) return undefined
    return utc - offsetMin * 60_000
  }

  it("reads exactly the format's texts, as the format's captures read them", () => {
    const good = "2026-11-27T10:00:00.123456+05:30"
    // Texts near the format: a valid one with characters replaced, inserted or removed.
    const near = fc.tuple(fc.nat({ max: good.length }), fc.nat({ max: 3 }), fc.constantFrom(..."0123456789T :.-+Zx٣"), fc.nat({ max: 2 })).map(
      ([at, cut, c, mode]) => (mode === 0 ? good.slice(0, at) + c + good.slice(at + 1) : mode === 1 ? good.slice(0, at) + c + good.slice(at) : good.slice(0, at) + good.slice(at + cut))
    )
    const any = fc.array(fc.constantFrom(..."0123456789T:.-+Z "), { maxLength: 34 }).map((cs) => cs.join(""))
    fc.assert(
      fc.property(fc.oneof(near, any, fc.string()), (s) => {
        expect(parseTimestamp(s)).toBe(byRegex(s))
        expect(isTimestampText(s)).toBe(FORMAT.test(s))
      }),
      { numRuns: 20000 }
    )
    for (const s of ["2026-11-27T10:00:00.1234567890Z", "2026-11-27T10:00:00.Z", "2026-11-27 10:00:00-03", "2026-11-27T10:00:00+05:3", "2026-11-27T10:00:00+053"]) {
      expect(parseTimestamp(s)).toBe(byRegex(s))
      expect(isTimestampText(s)).toBe(FORMAT.test(s))
    }
  })
})
