/**
 * Issue 24 row 7: SIGHUP to the built CLI's `run` daemon (bin/etpro-telemetry, dist/) re-reads the
 * configuration (token, HOME_NET, SID list), logs one line, and the daemon keeps running; an invalid new
 * configuration is logged and the old one kept. Before, the daemon died at once with status 129.
 */
import { spawn } from "node:child_process"
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeAll, describe, expect, it } from "vitest"
import { resolvePaths } from "../../src/domain/Paths.js"
import { BIN, ensureBuilt } from "../support/BuiltCli.js"
import { alertLine, range } from "../support/SendHarness.js"
import { startSink } from "../support/TelemetrySink.js"

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})
beforeAll(() => ensureBuilt(), 90_000)

const until = async (what: () => boolean, ms: number, label: string) => {
  const end = Date.now() + ms
  while (!what()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${label}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

describe("SIGHUP to run (issue 24 row 7)", () => {
  it("re-reads the configuration and keeps running; a bad one is logged and the old one kept; SIGTERM still stops it (exit 0)", async () => {
    const sink = await startSink()
    cleanups.push(() => sink.close())
    const root = await mkdtemp(join(tmpdir(), "etpro-sighup-"))
    cleanups.push(() => rm(root, { recursive: true, force: true }))
    const paths = resolvePaths({ root })
    await mkdir(join(root, "usr/local/etc/suricata"), { recursive: true })
    await mkdir(paths.logDir, { recursive: true })
    await writeFile(paths.ruleUpdaterConfig, "[__properties__]\net_telemetry.token=sighup-token-0123\n")
    await mkdir(join(paths.telemetrySids, ".."), { recursive: true })
    await writeFile(paths.telemetrySids, "2000001\n2000002\n")
    await writeFile(join(paths.logDir, "eve.json"), range(1, 3).map((i) => alertLine(i)).join(""))

    const child = spawn(process.execPath, [BIN, "run", "--root", root, "--base-url", sink.url, "--tasks", "events", "--now", "--max-age", "off"], {
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stderr = ""
    child.stderr.on("data", (d: Buffer) => void (stderr += d.toString()))
    cleanups.push(async () => void (child.exitCode === null && child.signalCode === null && child.kill("SIGKILL")))
    const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.on("exit", (code, signal) => r({ code, signal })))
    await until(() => /run: started/.test(stderr), 30_000, "started")
    await until(() => /send-events/.test(stderr) || sink.accepted.length > 0, 30_000, "the first delivery")

    child.kill("SIGHUP")
    await until(() => /SIGHUP: configuration re-read/.test(stderr), 10_000, "the reload line")
    expect(stderr).toMatch(/run: SIGHUP: configuration re-read: token from .*rule-updater\.config; 2 telemetry SIDs; HOME_NET read/)
    expect(stderr).not.toContain("sighup-token-0123")

    // The SID list becomes unreadable (a directory in its place): logged, the old configuration kept.
    await rm(paths.telemetrySids)
    await mkdir(paths.telemetrySids)
    child.kill("SIGHUP")
    await until(() => /SIGHUP: the new configuration is not used/.test(stderr), 10_000, "the refusal line")
    expect(stderr).toMatch(/SIGHUP: the new configuration is not used \(cannot read .*telemetry_sids\.txt.*\); keeping the previous one \(token from .*; 2 telemetry SIDs; HOME_NET read/)

    // Still running: alive after the signals, and it stops as usual.
    await new Promise((r) => setTimeout(r, 300))
    expect(child.exitCode).toBeNull()
    expect(child.signalCode).toBeNull()
    child.kill("SIGTERM")
    const end = await exited
    expect(end).toEqual({ code: 0, signal: null })
    expect(stderr).toMatch(/run: stopped/)
    // One line per SIGHUP.
    expect(stderr.match(/SIGHUP/g)).toHaveLength(2)
  }, 90_000)
})
