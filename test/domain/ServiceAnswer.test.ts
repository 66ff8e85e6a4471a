import { describe, expect, it } from "vitest"
import { decodeRulesetVersion, decodeSensorInfo, jsonTextDeeperThan, valueDeeperThan } from "../../src/domain/ServiceAnswer.js"

describe("ServiceAnswer (issue 24 row 9)", () => {
  it("jsonTextDeeperThan counts brackets outside strings only, without recursion", () => {
    expect(jsonTextDeeperThan("[".repeat(33) + "]".repeat(33), 32)).toBe(true)
    expect(jsonTextDeeperThan("[".repeat(32) + "]".repeat(32), 32)).toBe(false)
    expect(jsonTextDeeperThan(JSON.stringify({ a: "[[[[[[[[[[\\\"{{{{{{{{" }), 2)).toBe(false)
    expect(jsonTextDeeperThan("[".repeat(1_000_000), 32)).toBe(true)
  })

  it("valueDeeperThan walks a 100,000-deep value without overflowing", () => {
    const deep = JSON.parse("[".repeat(100_000) + "]".repeat(100_000)) as unknown
    expect(valueDeeperThan(deep, 32)).toBe(true)
    expect(valueDeeperThan({ a: { b: [1, { c: 2 }] } }, 4)).toBe(false)
    expect(valueDeeperThan({ a: { b: [1, { c: {} }] } }, 4)).toBe(true)
  })

  it("decodeSensorInfo keeps the known fields of their type, drops the rest", () => {
    const r = decodeSensorInfo({ sensor_status: "active", created: null, events_received: "x", extra: 1, next_status: { status: "dormant", at: null, unless: "an event" } })
    expect(r).toEqual({ fields: { sensor_status: "active", created: null, next_status: { status: "dormant", at: null, unless: "an event" } } })
    expect(decodeSensorInfo({ sensor_status: "x".repeat(300) })).toEqual({ fields: {} })
    expect(decodeSensorInfo([1])).toEqual({ error: "answer not understood (not a JSON object)" })
    expect(decodeSensorInfo(JSON.parse(`{"a":${"[".repeat(40)}${"]".repeat(40)}}`))).toEqual({ error: "answer not understood (nested deeper than 32)" })
  })

  it("decodeRulesetVersion accepts version tokens and refuses paths and controls", () => {
    expect(decodeRulesetVersion("10598")).toEqual({ version: "10598" })
    expect(decodeRulesetVersion("2026.11.27-1")).toEqual({ version: "2026.11.27-1" })
    for (const bad of ["../x", "", "a b", "1\u202e", "x".repeat(65)]) expect(decodeRulesetVersion(bad)).toHaveProperty("error")
  })
})
