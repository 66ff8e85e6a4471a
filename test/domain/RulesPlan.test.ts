import { describe, expect, it } from "vitest"
import { parseInstalledRules } from "../../src/domain/RuleFiles.js"
import * as RulesPlan from "../../src/domain/RulesPlan.js"
import {
  classifyEntry,
  defaultLimits,
  installDamage,
  isEnabled,
  missingCategories,
  parseCategories,
  parseVersionFile,
  renderInstalledRules,
  renderVersionFile,
  sameSelection,
  sameVersion
} from "../../src/domain/RulesPlan.js"

const file = (path: string, size = 10) => classifyEntry({ path, type: "File", size })

describe("classifyEntry", () => {
  it("takes rule files and the SID list directly under rules/", () => {
    expect(file("rules/emerging-scan.rules")).toEqual({ kind: "rules", name: "emerging-scan.rules", category: "emerging-scan" })
    expect(file("./rules/emerging-dos.rules")).toMatchObject({ kind: "rules", category: "emerging-dos" })
    expect(file("rules/telemetry_sids.txt")).toEqual({ kind: "sids" })
  })

  it("skips harmless members it does not install", () => {
    expect(file("rules/classification.config").kind).toBe("skip")
    expect(file("rules/sub/deep.rules").kind).toBe("skip")
    expect(file("rules/.hidden.rules").kind).toBe("skip")
    expect(classifyEntry({ path: "rules/", type: "Directory", size: 0 }).kind).toBe("skip")
  })

  it.each([
    ["rules/../../etc/passwd", /climbs out/],
    ["../rules/x.rules", /climbs out/],
    ["rules/a/../../x.rules", /climbs out/],
    ["/etc/cron.d/x", /absolute/],
    ["/rules/x.rules", /absolute/],
    ["C:/x.rules", /absolute/],
    ["rules\\..\\x.rules", /backslash/],
    ["etc/x.rules", /outside rules/],
    ["x.rules", /outside rules/],
    ["rules/x\0.rules", /NUL/]
  ])("rejects the path %j", (path, why) => {
    const v = file(path)
    expect(v.kind).toBe("reject")
    expect(v.kind === "reject" && v.reason).toMatch(why)
  })

  it.each(["SymbolicLink", "Link", "CharacterDevice", "BlockDevice", "FIFO", "Unsupported"])("rejects a %s member", (type) => {
    const v = classifyEntry({ path: "rules/x.rules", type, size: 0 })
    expect(v.kind).toBe("reject")
    expect(v.kind === "reject" && v.reason).toContain(type)
  })

  it("rejects a member over the size limit", () => {
    const limits = { ...defaultLimits, maxEntryBytes: 100 }
    expect(classifyEntry({ path: "rules/a.rules", type: "File", size: 100 }, limits).kind).toBe("rules")
    expect(classifyEntry({ path: "rules/a.rules", type: "File", size: 101 }, limits).kind).toBe("reject")
  })
})

describe("categories", () => {
  it("parses all, lists, .rules suffixes and duplicates", () => {
    expect(parseCategories("all")).toBe("all")
    expect(parseCategories(" emerging-scan, emerging-dos.rules ,emerging-scan")).toEqual(["emerging-scan", "emerging-dos"])
  })

  it("refuses names that could not be a rule file, and an empty list", () => {
    expect(parseCategories("../etc")).toHaveProperty("error")
    expect(parseCategories("a/b")).toHaveProperty("error")
    expect(parseCategories(" , ")).toHaveProperty("error")
  })

  it("compares and applies selections", () => {
    expect(isEnabled("all", "x")).toBe(true)
    expect(isEnabled(["a"], "b")).toBe(false)
    expect(sameSelection(["a", "b"], ["b", "a"])).toBe(true)
    expect(sameSelection("all", ["a"])).toBe(false)
    expect(missingCategories(["a", "z"], ["a", "b"])).toEqual(["z"])
  })
})

describe("version file", () => {
  it("reads the version after an OPNsense download-hash line", () => {
    expect(parseVersionFile('#@opnsense_download_hash:abc\n{"version": "10512"}\n')).toBe("10512")
    expect(parseVersionFile('{"version": 10512}')).toBe("10512")
  })

  it("says nothing for files without a usable version", () => {
    expect(parseVersionFile("not json")).toBeUndefined()
    expect(parseVersionFile('{"version": ""}')).toBeUndefined()
    expect(parseVersionFile("null")).toBeUndefined()
  })

  it("round-trips what it writes", () => {
    expect(parseVersionFile(renderVersionFile("2026-11-27.1"))).toBe("2026-11-27.1")
    expect(sameVersion(undefined, "1")).toBe(false)
    expect(sameVersion(" 7 ", "7")).toBe(true)
  })
})

describe("installed_rules.yaml", () => {
  it("is read back by the heartbeat's parser as the same list", () => {
    const files = ["emerging-scan.rules", "emerging-dos.rules"]
    expect(parseInstalledRules(renderInstalledRules(files)).files).toEqual(files)
    expect(parseInstalledRules(renderInstalledRules([])).files).toEqual([])
    expect(renderInstalledRules(files)).toMatch(/^%YAML 1\.1\n---\n(#.*\n)?rule-files:\n  - emerging-scan\.rules\n/)
  })

  it("as the agent's include file names its rule directory, quoted, and reads back the same list", () => {
    const text = renderInstalledRules(["a.rules"], "/x y/etpro-telemetry/current/rules")
    expect(text).toContain('default-rule-path: "/x y/etpro-telemetry/current/rules"\n')
    expect(parseInstalledRules(text).files).toEqual(["a.rules"])
  })
})

describe("installDamage", () => {
  const rec = { "/a": "h1", "/b": "h2" }
  it("is nothing when every recorded file has its recorded hash", () => {
    expect(installDamage(rec, { "/a": { sha256: "h1", size: 3 }, "/b": { sha256: "h2", size: 4 } })).toBeUndefined()
  })
  it("names the first file deleted, emptied or rewritten", () => {
    expect(installDamage(rec, { "/a": { sha256: "h1", size: 3 }, "/b": undefined })).toBe("/b was deleted")
    expect(installDamage(rec, { "/a": { sha256: "e3b0", size: 0 }, "/b": { sha256: "h2", size: 4 } })).toBe("/a was emptied")
    expect(installDamage(rec, { "/a": { sha256: "zz", size: 3 }, "/b": undefined })).toBe("/a was rewritten")
  })
})

describe("splitCommandLine", () => {
  it("splits words, keeps quoted spaces, honours escapes", () => {
    const { splitCommandLine } = RulesPlan
    expect(splitCommandLine("/usr/local/sbin/configctl ids reload")).toEqual(["/usr/local/sbin/configctl", "ids", "reload"])
    expect(splitCommandLine(`sh -c 'kill -USR2 $(cat /var/run/suricata.pid)'`)).toEqual(["sh", "-c", "kill -USR2 $(cat /var/run/suricata.pid)"])
    expect(splitCommandLine(`a "b c" d\\ e ""`)).toEqual(["a", "b c", "d e", ""])
    expect(splitCommandLine("a 'b")).toHaveProperty("error")
    expect(splitCommandLine("   ")).toHaveProperty("error")
  })
})

describe("classifyEntry, property", () => {
  it("whatever the member path, only a plain name directly under rules/ is ever extracted", async () => {
    const { FastCheck } = await import("effect")
    const segment = FastCheck.constantFrom("rules", "..", ".", "", "a.rules", "telemetry_sids.txt", "x", "C:", "\\..", "rules\0", "/")
    const path = FastCheck.array(segment, { minLength: 1, maxLength: 6 }).map((s) => s.join("/"))
    const type = FastCheck.constantFrom("File", "OldFile", "Directory", "SymbolicLink", "Link", "FIFO")
    FastCheck.assert(
      FastCheck.property(path, type, (p, t) => {
        const v = classifyEntry({ path: p, type: t, size: 1 })
        if (v.kind !== "rules" && v.kind !== "sids") return true
        const segs = p.split("/").filter((s) => s !== "" && s !== ".")
        const name = v.kind === "sids" ? "telemetry_sids.txt" : v.name
        return (
          ["File", "OldFile"].includes(t) &&
          !p.startsWith("/") &&
          segs.length === 2 &&
          segs[0] === "rules" &&
          segs[1] === name &&
          !name.includes("/") &&
          !name.includes("..")
        )
      }),
      { numRuns: 20_000 }
    )
  })
})
