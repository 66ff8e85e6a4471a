import { describe, expect, it } from "@effect/vitest"
import { heartbeatStats, lastStatsBlock } from "../../src/domain/StatsLog.js"
import { statsBlock, totals } from "../support/SensorTree.js"

describe("StatsLog", () => {
  it("takes the last block only, with its date", () => {
    const text =
      statsBlock("11/27/2026 -- 09:59:52", totals({ "decoder.pkts": 1, "detect.alert": 9 })) +
      statsBlock("11/27/2026 -- 10:00:00", totals({ "decoder.pkts": 2 }))
    const b = lastStatsBlock(text)!
    expect(b.date).toBe("11/27/2026 -- 10:00:00 (uptime: 0d, 01h 00m 08s)")
    expect(Object.fromEntries(b.counters)).toEqual({ "decoder.pkts": 2 })
    // A counter only in an older block is absent now, so null in the heartbeat.
    expect(heartbeatStats(b)["detect.alert"]).toBeNull()
    expect(heartbeatStats(b)["decoder.pkts"]).toBe(2)
  })

  it("prefers the Total row and sums thread rows when there is none", () => {
    const b = lastStatsBlock(
      statsBlock("d", [
        ["decoder.pkts", "W#01-em0", 5],
        ["decoder.pkts", "Total", 50],
        ["decoder.pkts", "W#02-em0", 7],
        ["flow.udp", "W#01-em0", 3],
        ["flow.udp", "W#02-em0", 4]
      ])
    )!
    expect(b.counters.get("decoder.pkts")).toBe(50)
    expect(b.counters.get("flow.udp")).toBe(7)
  })

  it("ignores the header row, separators and non-numeric values; none without a Date: line", () => {
    const b = lastStatsBlock(statsBlock("d", totals({ "decoder.bytes": 3 })) + "garbage | x | y\n")!
    expect([...b.counters.keys()]).toEqual(["decoder.bytes"])
    expect(lastStatsBlock("nothing\n| a | b |\n")).toBeUndefined()
    expect(lastStatsBlock("")).toBeUndefined()
  })

  it("a tail that starts inside a Date: line does not take that fragment for a block", () => {
    const text = statsBlock("d1", totals({ "decoder.pkts": 1 }))
    const cut = text.slice(text.indexOf("Date:") + 2)
    expect(lastStatsBlock(cut, true)).toBeUndefined()
    expect(lastStatsBlock(`Date: x\n${"decoder.pkts | Total | 4"}`, false)?.counters.get("decoder.pkts")).toBe(4)
  })

  it("reads CRLF files", () => {
    const text = statsBlock("d", totals({ "detect.alert": 8 })).replace(/\n/g, "\r\n")
    expect(lastStatsBlock(text)?.counters.get("detect.alert")).toBe(8)
  })
})
