/** Whether a lock still counts (issue 15, rows 3, 6, 13): liveness on this host, age only from another host. */
import { describe, expect, it } from "vitest"
import { judge, type Judge, parseHolder, renderHolder } from "../../src/domain/LockHolder.js"

const HOUR = 3_600_000
const here = (alive: boolean, now = 1_000_000): Judge => ({ host: "fw1", alive: () => alive, now, foreignStaleMs: 60_000 })
const holder = { pid: 42, host: "fw1", nonce: "n1" }

describe("LockHolder.judge", () => {
  it("a live holder on this host counts whatever the clock says (stepped 2 h either way, never touched)", () => {
    for (const now of [1_000_000, 1_000_000 + 2 * HOUR, 1_000_000 - 2 * HOUR, Number.MAX_SAFE_INTEGER]) {
      expect(judge({ holder, touchedAt: 0 }, here(true, now))).toEqual({ held: true })
    }
  })

  it("a holder on this host whose process is gone does not count, however fresh its file", () => {
    expect(judge({ holder, touchedAt: 1_000_000 }, { ...here(true), alive: (h) => h.nonce !== "n1" }).held).toBe(false)
    expect(judge({ holder, touchedAt: 1_000_000 }, here(false))).toEqual({ held: false, why: "its process 42 is gone" })
  })

  it("a holder on another host counts until it has not touched the lock for the limit", () => {
    const foreign = { holder: { ...holder, host: "fw2" }, touchedAt: 1_000_000 }
    const alive = () => {
      throw new Error("a process on another host cannot be asked")
    }
    expect(judge(foreign, { ...here(true, 1_000_000 + 60_000), alive })).toEqual({ held: true })
    expect(judge(foreign, { ...here(true, 1_000_000 - HOUR), alive })).toEqual({ held: true })
    expect(judge(foreign, { ...here(true, 1_000_000 + 60_001), alive }).held).toBe(false)
  })

  it("a file that names no holder (empty, half-written, foreign text) is debris at once", () => {
    for (const text of ["", '{"pid":4', "12345", '{"pid":"x","host":"fw1","nonce":"a"}', "null"]) {
      const h = parseHolder(text)
      expect(h).toBeUndefined()
      expect(judge({ holder: h, touchedAt: 1_000_000 }, here(true)).held).toBe(false)
    }
    expect(parseHolder(renderHolder(holder))).toEqual(holder)
  })
})
