/** `bin/etpro-telemetry dump` as a child process: stdout bodies, the stderr summary, exit codes (SPEC 10, 11). */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ensureBuilt, runBuilt } from "../support/BuiltCli.js"
import { localAddressesIn, oracleNetworks } from "../support/PrivacyOracle.js"

let root: string

beforeAll(async () => {
  await ensureBuilt()
  root = await mkdtemp(join(tmpdir(), "etpro-dump-cli-"))
  const lines = [
    { timestamp: "2026-11-27T10:00:00.123456+0530", flow_id: 1234567890123456789, event_type: "alert", src_ip: "10.1.2.3",
      dest_ip: "93.184.216.34", alert: { signature_id: 2019401, rev: 3, signature: "ET x", category: "c" }, payload: "x" },
    { timestamp: "2026-11-27T10:00:01.000000-0700", event_type: "flow", src_ip: "10.0.0.1" },
    // to_client: the src (not an address) is the server, so its certificate is sent, scrubbed (issue 25).
    { timestamp: "2026-11-27T10:00:02.000000Z", event_type: "alert", direction: "to_client", src_ip: "not-an-ip", dest_ip: "fd00::1",
      tls: { subject: "CN=10.9.8.7", sni: "example.com" } }
  ]
  // The 64-bit flow id must go through as its exact digits, so this line is written by hand.
  const text = lines.map((l) => JSON.stringify(l)).join("\n").replace("1234567890123456800", "1234567890123456789")
  await writeFile(join(root, "eve.json"), `${text}\n{"event_type":"alert" broken\n{"partial":`)
})

afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

describe("bin/etpro-telemetry dump", () => {
  it("--parsed prints exactly the sanitised bodies, and the counts on stderr", async () => {
    const r = await runBuilt(["dump", "--root", root, "--log", join(root, "eve.json"), "--since", "all", "--parsed", "--home-net", "10.0.0.0/8"])
    expect(r.code).toBe(0)
    const out = r.stdout.trimEnd().split("\n")
    expect(out).toEqual([
      '{"timestamp":"2026-11-27T10:00:00.123456+0530","flow_id":1234567890123456789,"event_type":"alert","src_ip":"xxx.xxx.xxx.3","dest_ip":"93.184.216.34","alert":{"signature_id":2019401,"rev":3}}',
      '{"timestamp":"2026-11-27T10:00:02.000000Z","event_type":"alert","dest_ip":"xxxx:xxxx:0000:0001","tls":{"subject":"CN=xxx.xxx.xxx.7","sni":"example.com"}}'
    ])
    const err = r.stderr.trimEnd().split("\n")
    expect(err).toHaveLength(1)
    expect(err[0]).toMatch(
      /^emergingthreats: dump: 1 files, 0 expired, 2 selected of 4 lines, 1 bad lines skipped; \d+ alerts, 0 not in telemetry SIDs, 2 printed, 1 dropped address values/
    )
  })

  it("without --parsed prints the raw records", async () => {
    const r = await runBuilt(["dump", "--root", root, "--log", join(root, "eve.json"), "--since", "all", "--home-net", "10.0.0.0/8"])
    expect(r.code).toBe(0)
    expect(r.stdout.trimEnd().split("\n")).toHaveLength(3)
    expect(r.stdout).toContain('"src_ip":"10.1.2.3"')
  })

  it("a missing log path: one `emergingthreats:` line naming it, exit 2, no stack trace", async () => {
    const missing = join(root, "no", "such", "dir")
    const r = await runBuilt(["dump", "--root", root, "--log", missing, "--since", "all", "--parsed", "--home-net", "10.0.0.0/8"])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe("")
    const err = r.stderr.trimEnd().split("\n")
    expect(err).toHaveLength(1)
    expect(err[0]).toMatch(/^emergingthreats: /)
    expect(err[0]).toContain(missing)
    expect(r.stderr).not.toMatch(/\bat .*\.(js|ts):\d+/)
  })

  it("a bad --since: one line, exit 2", async () => {
    const r = await runBuilt(["dump", "--root", root, "--log", join(root, "eve.json"), "--since", "yesterday"])
    expect(r.code).toBe(2)
    expect(r.stderr.trimEnd().split("\n")).toEqual([expect.stringMatching(/^emergingthreats: dump: .*--since/)])
  })
})

describe("bin/etpro-telemetry dump, this host's remembered networks (issue 25, point 3)", () => {
  it("masks an address the state file remembers this host had (a WAN address before a PPPoE reconnect)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "etpro-dump-mem-"))
    try {
      const alert = { timestamp: "2026-11-27T10:00:00.000000Z", event_type: "alert", src_ip: "198.51.100.33", dest_ip: "93.184.216.34",
        alert: { signature_id: 2019401, rev: 3 }, http: { hostname: "198.51.100.33" } }
      await writeFile(join(dir, "eve.json"), `${JSON.stringify(alert)}\n`)
      const args = ["dump", "--root", dir, "--log", join(dir, "eve.json"), "--state", join(dir, "state.json"), "--since", "all", "--parsed", "--home-net", "10.0.0.0/8"]
      const before = await runBuilt(args)
      expect(before.code).toBe(0)
      expect(before.stdout).toContain("198.51.100.33")
      const now = Date.now()
      await writeFile(join(dir, "state.json"), JSON.stringify({ version: 1, files: [], counters: { read: 0, selected: 0, sent: 0, rejected: 0, expired: 0, skippedBadLine: 0 },
        hourly: [], localNetworks: [{ cidr: "198.51.100.33/32", firstSeen: now - 3_600_000, lastSeen: now - 60_000 }] }))
      const after = await runBuilt(args)
      expect(after.code).toBe(0)
      expect(localAddressesIn(after.stdout, oracleNetworks(["198.51.100.33/32"]))).toEqual([])
      expect(after.stdout).toContain('"dest_ip":"93.184.216.34"')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
