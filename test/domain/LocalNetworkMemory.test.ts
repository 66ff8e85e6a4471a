/** This host's networks remembered across runs for --max-age, bounded (issue 25, point 3). */
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { emptyState, parseState, renderState } from "../../src/domain/AgentState.js"
import { liveMemory, MAX_REMEMBERED, memoryChanged, RESTAMP_MS, rememberNetworks } from "../../src/domain/LocalNetworkMemory.js"

const H = 3_600_000
const DAY = 24 * H

describe("rememberNetworks", () => {
  it("keeps a WAN address that changed, with when it was first and last seen, until --max-age passes", () => {
    const t0 = Date.UTC(2026, 11, 1)
    let m = rememberNetworks([], ["198.51.100.33/32", "192.168.1.1/24"], t0, DAY)
    m = rememberNetworks(m, ["198.51.100.34/32", "192.168.1.1/24"], t0 + 2 * H, DAY)
    expect(m.find((x) => x.cidr === "198.51.100.33/32")).toEqual({ cidr: "198.51.100.33/32", firstSeen: t0, lastSeen: t0 })
    expect(m.find((x) => x.cidr === "192.168.1.1/24")).toEqual({ cidr: "192.168.1.1/24", firstSeen: t0, lastSeen: t0 + 2 * H })
    // Past --max-age (and the re-stamp slack), the old address is no longer needed.
    const later = t0 + DAY + RESTAMP_MS + 1
    expect(liveMemory(m, later, DAY).map((x) => x.cidr)).not.toContain("198.51.100.33/32")
    expect(rememberNetworks(m, ["198.51.100.34/32"], later, DAY).map((x) => x.cidr)).toEqual(["198.51.100.34/32", "192.168.1.1/24"])
    // --max-age off: kept (bounded only).
    expect(liveMemory(m, t0 + 365 * DAY, undefined)).toHaveLength(3)
  })

  it("is bounded: the least recently seen go first, what is seen now stays", () => {
    fc.assert(fc.property(
      fc.array(fc.array(fc.integer({ min: 0, max: 400 }).map((i) => `10.${i >> 8}.${i & 255}.0/24`), { maxLength: 60 }), { maxLength: 12 }),
      fc.integer({ min: 1, max: 300 }),
      (runs, limit) => {
        let m: ReturnType<typeof rememberNetworks> = []
        const model = new Map<string, number>()
        runs.forEach((current, i) => {
          const now = 1_000_000 + i * 1000
          m = rememberNetworks(m, current, now, undefined, limit)
          for (const c of current) model.set(c, now)
          expect(m.length).toBeLessThanOrEqual(limit)
          expect(new Set(m.map((x) => x.cidr)).size).toBe(m.length)
          const seen = new Set(current)
          if (seen.size <= limit) for (const c of seen) expect(m.some((x) => x.cidr === c)).toBe(true)
          for (const x of m) expect(x.lastSeen).toBe(model.get(x.cidr))
          // Whatever was dropped was seen no later than whatever was kept.
          const oldestKept = Math.min(...m.map((x) => x.lastSeen))
          for (const [c, t] of model) if (!m.some((x) => x.cidr === c)) expect(t).toBeLessThanOrEqual(oldestKept)
        })
      }
    ))
    const many = Array.from({ length: MAX_REMEMBERED + 40 }, (_, i) => `10.0.${i >> 8}.${i & 255}/32`)
    let m = rememberNetworks([], many.slice(0, 100), 1, undefined)
    m = rememberNetworks(m, many.slice(100), 2, undefined)
    expect(m).toHaveLength(MAX_REMEMBERED)
    expect(m.filter((x) => x.lastSeen === 2)).toHaveLength(many.length - 100)
  })

  it("asks for a state write only when something changed or a re-stamp is due", () => {
    const m = rememberNetworks([], ["203.0.113.7/24"], 0, DAY)
    expect(memoryChanged(m, ["203.0.113.7/24"], 60_000, DAY)).toBe(false)
    expect(memoryChanged(m, ["203.0.113.7/24"], RESTAMP_MS, DAY)).toBe(true)
    expect(memoryChanged(m, ["203.0.113.8/24"], 60_000, DAY)).toBe(true)
    expect(memoryChanged(m, [], DAY + RESTAMP_MS + 1, DAY)).toBe(true)
    expect(memoryChanged([], [], 0, DAY)).toBe(false)
  })

  it("survives the state file: written and read back; an older state without it reads as none", () => {
    const m = rememberNetworks([], ["203.0.113.7/24", "2001:db8:aaaa:0:0:0:0:0/64"], 5, DAY)
    const back = parseState(renderState({ ...emptyState, localNetworks: m }))
    expect(back.kind === "ok" && back.state.localNetworks).toEqual(m)
    const old = parseState(renderState(emptyState))
    expect(old.kind === "ok" && old.state.localNetworks).toBeUndefined()
  })
})
