import { describe, expect, it } from "vitest"
import { estimateTotal, grouped, progressLine, sendingCount } from "../../src/domain/ProgressLine.js"

describe("progress line", () => {
  it("reads like `sending: 1,234 of ~5,000 alerts, 310/s`", () => {
    expect(progressLine({ doing: "sending", done: 1234, unit: "alerts", total: 5000, estimated: true }, 3981)).toBe(
      "sending: 1,234 of ~5,000 alerts, 310/s"
    )
    expect(progressLine({ doing: "sending", done: 5000, unit: "alerts", total: 5000 }, 10_000)).toBe("sending: 5,000 of 5,000 alerts, 500/s")
  })

  it("shows no rate in the first second, no total when none is known, and a detail after the rate", () => {
    expect(progressLine({ doing: "sending", done: 12, unit: "alerts" }, 999)).toBe("sending: 12 alerts")
    expect(progressLine({ doing: "reading eve.json", done: 2_000_000, unit: "lines", detail: "17 printed" }, 2000)).toBe(
      "reading eve.json: 2,000,000 lines, 1,000,000/s, 17 printed"
    )
  })

  it("never shows an estimate below what is done", () => {
    expect(progressLine({ doing: "sending", done: 1300, unit: "alerts", total: 1200, estimated: true }, 0)).toBe("sending: 1,300 of ~1,300 alerts")
  })

  it("groups thousands the same on every locale", () => {
    expect([0, 999, 1000, 1234567, 12.6].map(grouped)).toEqual(["0", "999", "1,000", "1,234,567", "13"])
  })

  it("estimates the total from the share of bytes read; exact once all is read", () => {
    expect(estimateTotal(10, 0, 1000)).toBeUndefined()
    expect(estimateTotal(10, 250, 1000)).toBe(40)
    expect(estimateTotal(37, 1000, 1000)).toBe(37)
    expect(sendingCount(5, 10, 250, 1000)).toEqual({ doing: "sending", done: 5, unit: "alerts", total: 40, estimated: true })
    expect(sendingCount(37, 37, 1000, 1000)).toMatchObject({ total: 37, estimated: false })
  })
})
