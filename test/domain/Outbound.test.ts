import { describe, expect, it } from "vitest"
import { localNetworks } from "../../src/domain/Network.js"
import { makeOutbound } from "../../src/domain/Outbound.js"

const ctx = { local: localNetworks([], []), sids: new Set<number>() }
const alert = (ts: string, sid = 2001) =>
  JSON.stringify({ timestamp: ts, event_type: "alert", src_ip: "192.168.1.5", dest_ip: "203.0.113.9", alert: { signature_id: sid }, secret_key: "x" })

describe("Outbound", () => {
  it("sends an alert as its sanitised JSON: local addresses masked, unknown keys dropped", () => {
    const o = makeOutbound(ctx).line(alert("2026-11-27T10:00:00Z"), undefined)
    expect(o.verdict).toBe("send")
    if (o.verdict !== "send") return
    expect(o.json).not.toContain("192.168.1.5")
    expect(o.json).toContain("203.0.113.9")
    expect(o.json).not.toContain("secret_key")
    expect(o.explanation).toBeUndefined()
  })

  it("explains what was masked and dropped when asked", () => {
    const o = makeOutbound(ctx, { explain: true }).line(alert("2026-11-27T10:00:00Z"), undefined)
    if (o.verdict !== "send") throw new Error(o.verdict)
    expect(o.explanation?.dropped).toContain("secret_key")
    expect(o.explanation?.masked.map((m) => m.path)).toContain("src_ip")
  })

  it("gives the verdicts of lines that are not sent", () => {
    const step = makeOutbound({ ...ctx, sids: new Set([1]) })
    expect(step.line("{not json", undefined).verdict).toBe("bad-line")
    expect(step.line(JSON.stringify({ event_type: "flow" }), undefined).verdict).toBe("not-alert")
    expect(step.line(alert("2026-11-27T10:00:00Z", 2), undefined).verdict).toBe("sid-not-listed")
    expect(step.line(alert("2026-11-27T10:00:00Z", 1), Date.UTC(2026, 10, 28)).verdict).toBe("expired")
    expect(step.verdict(step.parse(alert("2026-11-27T10:00:00Z", 1)), undefined)).toBe("send")
  })
})
