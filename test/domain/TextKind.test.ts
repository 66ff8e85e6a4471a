/**
 * The sanitiser sends a NOTHING text without scrubbing it: that is safe only if the scrubber would read no
 * address in it even were every address local. Checked on generated words near the boundary (hex letters,
 * `%`, non-ASCII, separators) and on the words eve records hold.
 */
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { scrubText } from "../../src/domain/Scrub.js"
import { COLON, DOTTED, NOTHING, PLAIN, textKind } from "../../src/domain/TextKind.js"

const everyAddressLocal = () => true

describe("textKind", () => {
  it.each([
    ["alert", NOTHING], ["TCP", NOTHING], ["allowed", NOTHING], ["text/html", NOTHING], ["", NOTHING],
    ["deadbeef", PLAIN], ["xdeadbeefx", PLAIN], ["a%zz", PLAIN], ["caf%C3%A9", DOTTED], ["café", PLAIN], ["１０", PLAIN],
    ["em0", DOTTED], ["TLS 1.2", DOTTED], ["www.example.com", DOTTED],
    ["HTTP/1.1", DOTTED], ["2026-09-01T00:00:00", COLON], ["fe80::1", COLON], ["a-b", COLON], ["deadbeef.x", DOTTED]
  ])("%j is %i", (s, kind) => {
    expect(textKind(s)).toBe(kind)
  })

  it("a NOTHING text is one the scrubber leaves unchanged, whatever is local", () => {
    const unit = fc.constantFrom(..."abcdefABCDEFxyzXYZ /_=,;%.:-0189\u00e9\uff10\u00ad\u3002")
    fc.assert(
      fc.property(fc.oneof(fc.array(unit, { maxLength: 30 }).map((cs) => cs.join("")), fc.string()), (s) => {
        if (textKind(s) === NOTHING) expect(scrubText(s, everyAddressLocal)).toBe(s)
      }),
      { numRuns: 20000 }
    )
    expect(scrubText("deadbeef", everyAddressLocal)).not.toBe("deadbeef")
  })
})
