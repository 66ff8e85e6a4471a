/**
 * The fingerprint grammars (SPEC section 3) are hand-written loops for speed: they must accept exactly what the
 * published grammars accept. Judged here against the grammars written as regular expressions (the test's own,
 * not the module's), on real JA3/JA3S strings and on generated near-misses.
 */
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { isJa3sString, isJa3String } from "../../src/domain/TlsFingerprint.js"

const LIST = "(?:\\d{1,5}(?:-\\d{1,5})*)?"
const JA3 = new RegExp(`^\\d{1,5},${LIST},${LIST},${LIST},${LIST}$`)
const JA3S = new RegExp(`^\\d{1,5},\\d{0,5},${LIST}$`)

// Strings of the shapes Suricata logs in tls.ja3.string / tls.ja3s.string (browsers, old clients, empty lists).
const REAL = [
  "771,49196-49195-49200-49199-159-158-49188-49187-49192-49191-49162-49161-49172-49171-157-156-61-60-53-47-10,0-10-11-13-35-23-65281,29-23-24,0",
  "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0",
  "771,4865-4866-4867-49195-49199-49196-49200-52393-52392,0-23-65281-10-11-35-16-5-13-18-51-45-43-27-21,29-23-24,0",
  "771,,,,",
  "771,49199,65281-0-11-35-23",
  "771,49199,",
  "771,,"
]

describe("JA3 and JA3S grammars", () => {
  it.each(REAL)("%s is judged as the grammar judges it", (s) => {
    expect(isJa3String(s)).toBe(JA3.test(s))
    expect(isJa3sString(s)).toBe(JA3S.test(s))
  })

  it("accept the real strings of their kind", () => {
    expect(isJa3String(REAL[0]!)).toBe(true)
    expect(isJa3String(REAL[3]!)).toBe(true)
    expect(isJa3sString(REAL[4]!)).toBe(true)
    expect(isJa3sString(REAL[6]!)).toBe(true)
    expect(isJa3String(REAL[4]!)).toBe(false)
  })

  it("reject near misses", () => {
    for (const s of ["", "771", "771,1--2,,,", "771,-1,,,", "771,1-,,,", "123456,,,,", "771,123456,,,", "771,,,,,", "771,,,,\n", "771,1 2,,,", "7a1,,,,", "771,١,,,"]) {
      expect(isJa3String(s), s).toBe(false)
      expect(JA3.test(s), s).toBe(false)
    }
    expect(isJa3sString("771,123456,")).toBe(false)
    expect(isJa3sString("771,1-2,")).toBe(false)
    expect(isJa3String(`771,${"1-".repeat(2100)}1,,,`)).toBe(false)
  })

  it("agree with the grammar on generated strings of digits, dashes and commas", () => {
    const char = fc.constantFrom("0", "1", "5", "9", "-", ",", ",", "7", "x")
    fc.assert(
      fc.property(fc.array(char, { maxLength: 40 }).map((cs) => cs.join("")), (s) => {
        expect(isJa3String(s)).toBe(JA3.test(s))
        expect(isJa3sString(s)).toBe(JA3S.test(s))
      }),
      { numRuns: 5000 }
    )
  })
})
