import { describe, expect, it } from "@effect/vitest"
import { parseTelemetrySids } from "../../src/domain/TelemetrySids.js"

describe("telemetry_sids.txt", () => {
  it("reads one SID a line, ignoring blank lines and comments, CRLF tolerated", () => {
    const r = parseTelemetrySids("# ET telemetry\n2019401\r\n\n  2024897  \n# 1\n2000001\n")
    expect([...r.sids].sort()).toEqual([2000001, 2019401, 2024897])
    expect(r.invalid).toBe(0)
  })

  it("counts lines that are not SIDs", () => {
    const r = parseTelemetrySids("2019401\nsid:2\n12345678901\n-5\n")
    expect([...r.sids]).toEqual([2019401])
    expect(r.invalid).toBe(3)
  })

  it("an empty file is an empty list (every alert is sent)", () => {
    expect(parseTelemetrySids("").sids.size).toBe(0)
  })
})
