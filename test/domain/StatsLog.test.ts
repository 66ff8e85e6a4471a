/**
 * stats.log read as the stock plugin's telemetry/system.py `log_stats()` reads it (opnsense/plugins
 * security/etpro-telemetry 1.8, lines 110-129): the rows after the last `------` line, the topmost row of a
 * counter winning, digits as numbers and anything else as text; a text without a `------` line read whole.
 */
import { describe, expect, it } from "@effect/vitest"
import { heartbeatStats, lastStatsRows } from "../../src/domain/StatsLog.js"
import { statsBlock, totals } from "../support/SensorTree.js"

const row = (c: string, tm: string, v: string) => `${c.padEnd(46)}| ${tm.padEnd(26)}| ${v}`

describe("StatsLog", () => {
  it("takes the rows of the last block only", () => {
    const text =
      statsBlock("11/27/2026 -- 09:59:52", totals({ "decoder.pkts": 1, "detect.alert": 9 })) +
      statsBlock("11/27/2026 -- 10:00:00", totals({ "decoder.pkts": 2 }))
    const rows = lastStatsRows(text)
    expect(rows.bounded).toBe(true)
    expect(Object.fromEntries(rows.counters)).toEqual({ "decoder.pkts": 2 })
    // A counter only in an older block is absent now, so null in the heartbeat.
    expect(heartbeatStats(rows)["detect.alert"]).toBeNull()
    expect(heartbeatStats(rows)["decoder.pkts"]).toBe(2)
  })

  it("of several rows for one counter the topmost wins: Total (written first), else the first thread's", () => {
    const both = lastStatsRows(
      statsBlock("d", [
        ["decoder.pkts", "Total", 12],
        ["decoder.pkts", "W#01-em0", 5],
        ["decoder.pkts", "W#02-em0", 7]
      ])
    )
    expect(both.counters.get("decoder.pkts")).toBe(12)
    const threads = lastStatsRows(statsBlock("d", [["flow.udp", "W#01-em0", 3], ["flow.udp", "W#02-em0", 4]]))
    expect(threads.counters.get("flow.udp")).toBe(3)
  })

  it("digits are numbers, any other value its text; lines without exactly two | are skipped", () => {
    const rows = lastStatsRows(
      statsBlock("d", totals({ "decoder.bytes": 3 })) + [row("flow.tcp", "Total", "12x"), row("flow.udp", "Total", ""), "a | b | c | d", "noise", ""].join("\n")
    )
    expect(Object.fromEntries(rows.counters)).toEqual({ "decoder.bytes": 3, "flow.tcp": "12x", "flow.udp": "" })
  })

  it("without a ------ line the whole text is read (unbounded); an empty text has no rows", () => {
    const rows = lastStatsRows("decoder.pkts | Total | 9\nnoise\n")
    expect(rows).toEqual({ counters: new Map([["decoder.pkts", 9]]), bounded: false })
    expect(lastStatsRows("")).toEqual({ counters: new Map(), bounded: false })
    expect(heartbeatStats(lastStatsRows(""))).toEqual({
      "capture.kernel_packets": null,
      "decoder.pkts": null,
      "decoder.bytes": null,
      "decoder.ipv4": null,
      "decoder.ipv6": null,
      "flow.tcp": null,
      "flow.udp": null,
      "detect.alert": null
    })
  })

  it("a tail that starts inside a line does not read that fragment", () => {
    const text = row("decoder.pkts", "Total", "4") + "\n" + row("flow.tcp", "Total", "5") + "\n"
    const cut = text.slice(3)
    expect(Object.fromEntries(lastStatsRows(cut, true).counters)).toEqual({ "flow.tcp": 5 })
    expect(Object.fromEntries(lastStatsRows(cut, false).counters)).toEqual({ "oder.pkts": 4, "flow.tcp": 5 })
  })

  it("reads CRLF files", () => {
    const text = statsBlock("d", totals({ "detect.alert": 8 })).replace(/\n/g, "\r\n")
    expect(lastStatsRows(text).counters.get("detect.alert")).toBe(8)
  })
})
