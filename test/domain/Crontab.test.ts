import { execFileSync } from "node:child_process"
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { crontab, type CrontabOptions, hostMinute } from "../../src/domain/Crontab.js"

const base: CrontabOptions = {
  bin: "/usr/local/bin/etpro-telemetry",
  args: [],
  rulesArgs: [],
  rulesAtMs: (3 * 60 + 30) * 60_000,
  sensorInfoMinute: 17,
  syslog: true
}

const entries = (text: string) =>
  text
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => l.split("\t"))

describe("crontab", () => {
  it("runs events every minute, heartbeat and sensor info hourly, rules daily", () => {
    const e = entries(crontab(base))
    expect(e.map((f) => f.slice(0, 5).join(" "))).toEqual(["* * * * *", "0 * * * *", "17 * * * *", "30 3 * * *"])
    expect(e.map((f) => f[5]!.split(" ").slice(1, 3).join(" "))).toEqual([
      "send-events 2>&1",
      "send-heartbeat 2>&1",
      "sensor-info 2>&1",
      "rules update"
    ])
    expect(e.every((f) => f[5]!.endsWith("| /usr/bin/logger -t etpro-telemetry"))).toBe(true)
    // sensor-info's JSON answer is recorded in the state; only its messages go to syslog.
    expect(e[2]![5]).toContain("2>&1 >/dev/null |")
  })

  it("passes --log only to the commands that read the eve log (sensor-info and rules update refuse it)", () => {
    const e = entries(crontab({ ...base, args: ["--root", "/r"], logArgs: ["--log", "/l"] }))
    expect(e.map((f) => f[5]!.includes("--log /l"))).toEqual([true, true, false, false])
    expect(e.every((f) => f[5]!.includes("--root /r"))).toBe(true)
  })

  it("adds a user column for a system crontab", () => {
    expect(entries(crontab({ ...base, user: "root" })).every((f) => f[5] === "root" && f.length === 7)).toBe(true)
  })

  it("spreads sensor info over the hour by host name, stably", () => {
    const minutes = new Set(Array.from({ length: 200 }, (_, i) => hostMinute(`fw-${i}.example`)))
    expect(minutes.size).toBeGreaterThan(40)
    expect(hostMinute("fw-1")).toBe(hostMinute("fw-1"))
    for (const m of minutes) expect(m >= 0 && m < 60).toBe(true)
  })

  describe("arguments survive sh and cron's % handling", () => {
    const dir = mkdtempSync(join(tmpdir(), "etpro-cron-"))
    afterAll(() => rmSync(dir, { recursive: true, force: true }))
    const bin = join(dir, "argv")
    writeFileSync(bin, `#!${process.execPath}\nprocess.stdout.write(JSON.stringify(process.argv.slice(2)))\n`)
    chmodSync(bin, 0o755)

    it("quotes spaces, quotes, $ and %", () => {
      const args = ["--root", "/tmp/a b's $HOME %d"]
      const rulesArgs = ["--reload-command", "sh -c 'kill -HUP $(cat /var/run/suricata.pid)'"]
      const lines = entries(crontab({ ...base, bin, args, rulesArgs, syslog: false }))
      const rules = lines[3]![5]!
      // cron turns `\%` back into `%` before handing the line to sh.
      const asCronRunsIt = rules.replace(/\\%/g, "%")
      const argv = JSON.parse(execFileSync("/bin/sh", ["-c", asCronRunsIt], { encoding: "utf8" })) as Array<string>
      expect(argv).toEqual(["rules", "update", ...args, ...rulesArgs])
      expect(rules).not.toMatch(/[^\\]%/)
    })
  })
})
