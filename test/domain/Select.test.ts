/** The selection rules of SPEC section 3: alerts only, listed SIDs only, nothing older than the max age. */
import { describe, expect, it } from "@effect/vitest"
import { selectRecord } from "../../src/domain/Select.js"

const T = "2026-11-27T10:00:00.000000+0000"
const at = Date.parse("2026-11-27T10:00:00Z")
const alert = (extra: Record<string, unknown> = {}) => ({
  timestamp: T,
  event_type: "alert",
  alert: { signature_id: 2019401 },
  ...extra
})
const noLimit = { sids: new Set<number>(), notBefore: undefined }

describe("selectRecord", () => {
  it("sends an alert", () => {
    expect(selectRecord(alert(), noLimit)).toBe("send")
  })

  it.each(["flow", "dns", "http", "tls", "fileinfo", "stats", "anomaly", "netflow", "drop", "Alert", "alert "])(
    "never sends event_type %j",
    (event_type) => {
      expect(selectRecord(alert({ event_type }), noLimit)).toBe("not-alert")
    }
  )

  it.each([[null], [42], ["alert"], [[{ event_type: "alert" }]], [{}], [{ alert: { signature_id: 1 } }]])(
    "%j is not an alert",
    (r) => {
      expect(selectRecord(r, noLimit)).toBe("not-alert")
    }
  )

  describe("with a telemetry SID list", () => {
    const listed = { sids: new Set([2019401, 2024897]), notBefore: undefined }

    it("sends only listed SIDs", () => {
      expect(selectRecord(alert(), listed)).toBe("send")
      expect(selectRecord(alert({ alert: { signature_id: 2000001 } }), listed)).toBe("sid-not-listed")
    })

    it("does not send an alert without a numeric SID", () => {
      expect(selectRecord(alert({ alert: { signature_id: "2019401" } }), listed)).toBe("sid-not-listed")
      expect(selectRecord(alert({ alert: undefined }), listed)).toBe("sid-not-listed")
      expect(selectRecord(alert({ alert: null }), listed)).toBe("sid-not-listed")
    })

    it("an empty list sends every alert", () => {
      expect(selectRecord(alert({ alert: { signature_id: 1 } }), noLimit)).toBe("send")
    })
  })

  describe("with a max age (notBefore)", () => {
    it("sends a record at or after notBefore, expires one before it", () => {
      expect(selectRecord(alert(), { sids: new Set(), notBefore: at })).toBe("send")
      expect(selectRecord(alert(), { sids: new Set(), notBefore: at + 1 })).toBe("expired")
      expect(selectRecord(alert(), { sids: new Set(), notBefore: at - 86_400_000 })).toBe("send")
    })

    it("compares instants, whatever the offset", () => {
      const r = alert({ timestamp: "2026-11-27T15:30:00.000000+0530" })
      expect(selectRecord(r, { sids: new Set(), notBefore: at })).toBe("send")
      expect(selectRecord(r, { sids: new Set(), notBefore: at + 1 })).toBe("expired")
    })
  })

  it.each([[undefined], [""], ["2026-11-27"], ["2026-02-30T10:00:00.000000+0000"], [1764237600], ["garbage"]])(
    "timestamp %j is a bad timestamp",
    (timestamp) => {
      expect(selectRecord(alert({ timestamp }), noLimit)).toBe("bad-timestamp")
    }
  )
})
