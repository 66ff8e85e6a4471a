import { describe, expect, it } from "vitest"
import { hasUnprintable, printable, printableJson, printableLine, printableStrings } from "../../src/domain/Printable.js"
import { line } from "../../src/main/Failure.js"

describe("Printable (issue 24 row 1)", () => {
  it("replaces C0, DEL, C1, bidi overrides and isolates, and other format characters", () => {
    const cases = ["\x1b[2J", "\x07", "\x7f", "\u009b", "\u0085", "\u202a", "\u202e", "\u2066", "\u2069", "\u200b", "\u200e", "\ufeff", "\u00ad", "\u2028", "\ud800"]
    for (const c of cases) {
      expect(hasUnprintable(`a${c}b`)).toBe(true)
      expect(printable(`a${c}b`)).toMatch(/^a\?+(\[2J)?b$/)
    }
  })

  it("leaves ordinary text alone, accents, CJK and emoji included", () => {
    for (const s of ["plain", "café Ürün", "漢字", "👍🏽", "tab-free 10.0.0.1:443"]) expect(printable(s)).toBe(s)
  })

  it("JSON text keeps its meaning: each character escaped, read back the same", () => {
    const value = { m: "\u202eevil\u009b31m\u2066\u200b", n: ["\x1b]0;t\x07"] }
    const text = JSON.stringify(value) + "\n"
    const shown = printableJson(text)
    expect(hasUnprintable(shown.trimEnd())).toBe(false)
    expect(shown).toContain("\\u202e")
    expect(JSON.parse(shown)).toEqual(value)
  })

  it("a message line keeps its newline; the operator's line is printable whatever it quotes", () => {
    expect(printableLine("x\u202ey\n")).toBe("x?y\n")
    expect(line("send-events", "event rejected: HTTP 422: \x1b[2J\u202e")).toBe("emergingthreats: send-events: event rejected: HTTP 422: ?[2J?")
  })

  it("printableStrings reaches every string of a view", () => {
    expect(printableStrings({ a: "\u202e", b: [{ c: "\x1b" }], n: 1, z: null })).toEqual({ a: "?", b: [{ c: "?" }], n: 1, z: null })
  })
})
