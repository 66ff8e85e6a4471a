import { describe, expect, it } from "vitest"
import { join } from "node:path"
import { DEFAULTS, resolvePaths } from "../../src/domain/Paths.js"

describe("resolvePaths", () => {
  it("uses the OPNsense defaults without --root", () => {
    const p = resolvePaths()
    expect(p.ruleUpdaterConfig).toBe(DEFAULTS.ruleUpdaterConfig)
    expect(p.telemetrySids).toBe("/usr/local/etc/suricata/rules/telemetry_sids.txt")
    expect(p.statsLog).toBe("/var/log/suricata/stats.log")
  })

  it.each(["/tmp/tree", "/tmp/tree/", "tree", "../tree"])("prefixes every default path with --root %s as path.join would", (root) => {
    const p = resolvePaths({ root })
    expect(p.suricataYaml).toBe(join(root, DEFAULTS.suricataYaml))
    expect(p.state).toBe(join(root, DEFAULTS.state))
    expect(p.commands.suricataRc).toBe(join(root, DEFAULTS.suricataRc))
    expect(p.telemetrySids).toBe(join(root, DEFAULTS.rulesDir, "telemetry_sids.txt"))
  })

  it("keeps a path given by flag as given", () => {
    const p = resolvePaths({ root: "/r", log: "/logs/", state: "s.json" })
    expect(p.logDir).toBe("/logs/")
    expect(p.statsLog).toBe("/logs/stats.log")
    expect(p.state).toBe("s.json")
  })
})
