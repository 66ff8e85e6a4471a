import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { parseInstalledRules, sidOfRule, sidsOfText } from "../../src/domain/RuleFiles.js"
import { ENABLED_SIDS, RULES_A, RULES_B } from "../support/SensorTree.js"

describe("RuleFiles", () => {
  it("installed_rules.yaml: the rule-files list, plain names only, no duplicates", () => {
    const l = parseInstalledRules(
      "%YAML 1.1\n---\nrule-files:\n  - a.rules\n  - ' b.rules '\n  - a.rules\n  - ../etc/passwd\n  - /abs.rules\n  - 7\n"
    )
    expect(l.files).toEqual(["a.rules", "b.rules"])
    expect(l.ignored).toEqual(["../etc/passwd", "/abs.rules", "7"])
    expect(parseInstalledRules("rule-files:\n").files).toEqual([])
    expect(parseInstalledRules("other: 1\n").files).toEqual([])
    expect(() => parseInstalledRules("rule-files: 3\n")).toThrow(/not a list/)
    expect(() => parseInstalledRules("rule-files: [a\n")).toThrow()
  })

  it("SIDs of enabled rules only; a quoted \"sid:\" before the real one is not it", () => {
    expect([...sidsOfText(RULES_A + RULES_B)].sort()).toEqual(ENABLED_SIDS)
    expect(sidOfRule('alert http any any -> any any (content:"sid:1;"; sid:42; rev:1;)')).toBe(42)
    expect(sidOfRule('alert http any any -> any any (msg:"a \\" sid:5; b"; sid: 43 ;)')).toBe(43)
    expect(sidOfRule("  #alert tcp any any -> any any (sid:44;)")).toBeUndefined()
    expect(sidOfRule("alert tcp any any -> any any (msg:\"no sid\"; rev:1;)")).toBeUndefined()
    expect(sidOfRule("alert tcp any any -> any any (gid:1; xsid:9; sid:45;)")).toBe(45)
    expect(sidOfRule("")).toBeUndefined()
    // The last option may go without its `;`.
    expect(sidOfRule('alert tcp any any -> any any (msg:"x"; sid:46)')).toBe(46)
    expect(sidOfRule('alert tcp any any -> any any (msg:"x)"; content:"sid:9")')).toBeUndefined()
  })

  it("rules continued over several lines with a trailing backslash count once", () => {
    const text = [
      'alert tcp any any -> any any (msg:"multi"; \\',
      '    content:"a"; \\',
      "    sid:3000001; rev:1;)",
      'alert tcp any any -> any any (msg:"single"; sid:3000002;)',
      '#alert tcp any any -> any any (msg:"off"; \\',
      "    sid:3000003;)"
    ].join("\n")
    expect([...sidsOfText(text)].sort()).toEqual([3000001, 3000002])
  })

  it("property: the real sid option is found whatever quoted text precedes it", () => {
    const quoted = fc
      .string({ unit: fc.constantFrom("a", "s", "i", "d", ":", ";", "1", " ", "(", ")", '\\"', "\\;") })
      .map((s) => `"${s}"`)
    fc.assert(
      fc.property(fc.array(quoted, { maxLength: 4 }), fc.integer({ min: 1, max: 4_000_000_000 }), (contents, sid) => {
        const opts = contents.map((c) => `content:${c};`).join(" ")
        const rule = `alert tcp any any -> any any (msg:"x"; ${opts} sid:${sid}; rev:1;)`
        expect(sidOfRule(rule)).toBe(sid)
        expect(sidOfRule(`# ${rule}`)).toBeUndefined()
      }),
      { numRuns: 2000 }
    )
  })
})
