/**
 * Issue 10's classes of leak, one fixture each (test/fixtures/privacy-leaks.json): sent raw, the reference
 * service's check counts a violation for every record; sanitised, the independent oracle finds nothing local
 * and the check finds nothing. Class 4 (HOME_NET) and 5 (SID file) are configuration: test/main/Privacy.test.ts
 * and test/domain/HomeNet.test.ts; class 7 (flow_id) is below.
 */
import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { ALWAYS_PRIVATE, makeNetworkSet, parseCidrs } from "../../src/domain/Network.js"
import { eventToJson, makeSanitiser, parseEveLine } from "../../src/domain/Sanitise.js"
import { checkEvent } from "../../src/reference/PrivacyCheck.js"
import { localAddressesIn, oracleNetworks } from "../support/PrivacyOracle.js"

const fixtures = JSON.parse(readFileSync(new URL("../fixtures/privacy-leaks.json", import.meta.url), "utf8")) as {
  classes: Record<string, Array<Record<string, unknown>>>
}
const sanitise = makeSanitiser(makeNetworkSet(parseCidrs(ALWAYS_PRIVATE).cidrs))
const oracle = oracleNetworks([])
const check = (event: Record<string, unknown>) => {
  const raw = JSON.stringify(event)
  return checkEvent(JSON.parse(raw), raw).filter((v) => v.kind === "address")
}

describe.each(Object.entries(fixtures.classes))("class %s", (_, records) => {
  it.each(records.map((r) => [JSON.stringify(r), r] as const))("%s: a violation raw, nothing local sanitised", (_, record) => {
    expect(check(record).length).toBeGreaterThan(0)
    const sent = eventToJson(sanitise(record).event)
    expect(localAddressesIn(sent, oracle)).toEqual([])
    expect(check(JSON.parse(sent))).toEqual([])
  })
})

describe("class 7: flow_id comes from the top-level key alone", () => {
  it("a nested flow_id before the top-level one is never sent in its place", () => {
    const line = '{"event_type":"alert","x":{"flow_id":1234567890123456789},"flow_id":9876543210987654321}'
    expect(eventToJson(sanitise(parseEveLine(line)).event)).toBe('{"event_type":"alert","flow_id":9876543210987654321}')
    const nested = '{"event_type":"alert","alert":{"flow_id":1234567890123456789},"flow_id":1234567890123456800}'
    expect(eventToJson(sanitise(parseEveLine(nested)).event)).toBe('{"event_type":"alert","alert":{},"flow_id":1234567890123456800}')
  })
})
