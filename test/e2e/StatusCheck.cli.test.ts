/**
 * `status --check` through the built CLI, as monit/Zabbix/Nagios run it: one line on stdout and the
 * monitoring-plugin exit code (SPEC section 10), against a stand-in telemetry service on loopback and a state
 * file holding the last good answer.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { setTokenInText } from "../../src/domain/TokenSource.js"
import { type AgentState, emptyState } from "../../src/domain/AgentState.js"
import { resolvePaths } from "../../src/domain/Paths.js"
import { runBuilt } from "../support/BuiltCli.js"
import { type Sink, startSink } from "../support/TelemetrySink.js"

const TOKEN = "e2e-check-token-0123456789"
const HOUR = 3_600_000
const iso = (t: number) => new Date(t).toISOString()

let sink: Sink
let sensorStatus = "ACTIVE"
let root: string
const roots: Array<string> = []

/** A sensor tree with a token and, optionally, a state file whose last good answer is `okAgoMs` old. */
const tree = async (opts: { token?: boolean; okAgoMs?: number } = {}) => {
  const dir = await mkdtemp(join(tmpdir(), "e2e-check-"))
  roots.push(dir)
  const paths = resolvePaths({ root: dir })
  await mkdir(dirname(paths.ruleUpdaterConfig), { recursive: true })
  if (opts.token !== false) await writeFile(paths.ruleUpdaterConfig, setTokenInText("", TOKEN), { mode: 0o600 })
  if (opts.okAgoMs !== undefined) {
    const at = Date.now() - opts.okAgoMs
    const record = { at, result: { status: "ok", sensor_status: "ACTIVE", created: iso(at - 10 * 24 * HOUR) } }
    const state: AgentState = { ...emptyState, lastSensorInfo: record, lastSensorInfoOk: record }
    await mkdir(dirname(paths.state), { recursive: true })
    await writeFile(paths.state, JSON.stringify(state))
  }
  return dir
}

const check = (dir: string, baseUrl: string, ...more: Array<string>) =>
  runBuilt(["status", "--check", "--root", dir, "--base-url", baseUrl, "--timeout", "2s", ...more])

beforeAll(async () => {
  sink = await startSink(() => {
    const now = Date.now()
    return {
      status: 200,
      body: JSON.stringify({
        sensor_status: sensorStatus.toLowerCase(), // as the real API sends it
        created: iso(now - 30 * 24 * HOUR),
        event_received: iso(sensorStatus === "DISABLED" ? now - 6 * 24 * HOUR : now - HOUR),
        last_heartbeat: iso(now - HOUR / 2)
      })
    }
  })
  root = await tree()
})

afterAll(async () => {
  await sink?.close()
  await Promise.all(roots.map((d) => rm(d, { recursive: true, force: true })))
})

/** A loopback URL where nothing listens. */
const DOWN = "http://127.0.0.1:9"

describe("status --check (built CLI)", () => {
  it("0 ACTIVE, 1 DORMANT, 2 DISABLED: one line each, the token nowhere", async () => {
    for (const [status, code, label] of [["ACTIVE", 0, "OK"], ["DORMANT", 1, "WARNING"], ["DISABLED", 2, "CRITICAL"]] as const) {
      sensorStatus = status
      const r = await check(root, sink.url)
      expect(r.code, r.stderr).toBe(code)
      expect(r.stdout).toMatch(new RegExp(`^ETPRO TELEMETRY ${label} - ${status}, ET (Pro|Open) served.* \\| sent_24h=0;;;0 rejected_24h=0;;;0 expired_24h=0;;;0\\n$`))
      expect(r.stdout + r.stderr).not.toContain(TOKEN)
    }
  }, 60_000)

  it("unreachable: WARNING within the threshold, CRITICAL beyond it (default 1 h, or --unreachable-after)", async () => {
    const [recent, old] = await Promise.all([tree({ okAgoMs: 10 * 60_000 }), tree({ okAgoMs: 2 * HOUR })])
    const [warn, strict, crit] = await Promise.all([
      check(recent, DOWN),
      check(recent, DOWN, "--unreachable-after", "5m"),
      check(old, DOWN)
    ])
    expect(warn.code, warn.stderr).toBe(1)
    expect(warn.stdout).toMatch(/^ETPRO TELEMETRY WARNING - UNREACHABLE for 10 min: the service cannot be reached \(connection refused.*\); last known ACTIVE from .* UTC; critical after 1 h \|/)
    expect(strict.code).toBe(2)
    expect(strict.stdout).toMatch(/^ETPRO TELEMETRY CRITICAL - UNREACHABLE for 10 min: .*critical after 5 min \|/)
    expect(crit.code).toBe(2)
    expect(crit.stdout).toMatch(/^ETPRO TELEMETRY CRITICAL - UNREACHABLE for 2 h:/)
    for (const r of [warn, strict, crit]) expect(r.stdout.split("\n")).toHaveLength(2)
  }, 60_000)

  it("3 unknown: no token, or the service never reached", async () => {
    const [noToken, never] = await Promise.all([tree({ token: false }), tree()])
    const [a, b] = await Promise.all([check(noToken, sink.url), check(never, DOWN)])
    expect(a.code).toBe(3)
    expect(a.stdout).toMatch(/^ETPRO TELEMETRY UNKNOWN - UNCONFIGURED: no telemetry token \|/)
    expect(b.code).toBe(3)
    expect(b.stdout).toMatch(/^ETPRO TELEMETRY UNKNOWN - UNREACHABLE: .*no license status received yet \|/)
  }, 60_000)

  it("bad flags are usage errors (exit 2, one emergingthreats line, nothing on stdout)", async () => {
    const [badDuration, withJson] = await Promise.all([
      check(root, sink.url, "--unreachable-after", "soon"),
      check(root, sink.url, "--json")
    ])
    expect(badDuration.code).toBe(2)
    expect(badDuration.stderr).toBe('emergingthreats: status: --unreachable-after "soon" is not a duration (90s, 30m, 1h, 2d)\n')
    expect(withJson.code).toBe(2)
    expect(withJson.stderr).toMatch(/^emergingthreats: status: --check prints one line: it takes neither --json nor --serve\n$/)
    expect(badDuration.stdout + withJson.stdout).toBe("")
  }, 60_000)
})
