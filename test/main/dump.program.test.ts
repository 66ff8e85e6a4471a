/**
 * The `dump` program (SPEC section 10) over the real eve reader, captured output, a static host and the
 * TestClock: `--parsed` prints exactly what send-events would POST, `--since` is measured on the clock.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, TestClock } from "effect"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import * as EveLog from "../../src/adapters/EveLog.js"
import * as HostNetworks from "../../src/adapters/HostNetworks.js"
import { CapturedOutput, layerTest } from "../../src/adapters/Output.js"
import { loadPrivacy } from "../../src/main/Privacy.js"
import { dump, type DumpRun, summary } from "../../src/main/programs/Dump.js"
import { tempDir } from "../support/TempDir.js"

const NOW = Date.parse("2026-11-27T12:00:00Z")
/** A timestamp `minutes` before NOW, written at +0530 as a sensor in India would. */
const ago = (minutes: number) => {
  const wall = new Date(NOW - minutes * 60_000 + 330 * 60_000)
  return `${wall.toISOString().slice(0, 19)}.000000+0530`
}

const alertLine = (minutes: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    timestamp: ago(minutes),
    flow_id: 1,
    event_type: "alert",
    src_ip: "192.168.1.23",
    dest_ip: "8.8.8.8",
    alert: { action: "allowed", signature_id: 2019401, rev: 3, signature: "ET POLICY x", severity: 2 },
    payload: "c2VjcmV0",
    ...extra
  })

const run = (files: Record<string, string>, opts: Partial<Omit<DumpRun, "log" | "privacy">> & {
  homeNet?: string
  sids?: string
  interfaces?: ReadonlyArray<string>
  yaml?: string
  logName?: string
} = {}) =>
  Effect.gen(function* () {
    const dir = yield* tempDir()
    for (const [name, content] of Object.entries(files)) yield* Effect.promise(() => writeFile(join(dir, name), content))
    const privacy = yield* loadPrivacy({
      suricataYaml: join(dir, opts.yaml ?? "suricata.yaml"),
      sidsFile: join(dir, opts.sids ?? "telemetry_sids.txt"),
      homeNet: opts.homeNet
    }).pipe(Effect.provide(HostNetworks.layerStatic(opts.interfaces ?? [])))
    const counts = yield* dump({
      log: opts.logName === undefined ? dir : join(dir, opts.logName),
      since: opts.since ?? "all",
      parsed: opts.parsed ?? true,
      explain: opts.explain ?? false,
      limit: opts.limit,
      privacy
    })
    const out = yield* CapturedOutput
    const stdout = out.stdout.join("").split("\n").filter((l) => l !== "")
    return { counts, stdout, stderr: out.stderr, warnings: privacy.warnings }
  }).pipe(Effect.provide(Layer.merge(layerTest(), EveLog.layer)))

describe("dump --parsed", () => {
  it.scoped("prints exactly the sanitised bodies of the alerts, one JSON object a line", () =>
    Effect.gen(function* () {
      const log = [
        alertLine(10),
        JSON.stringify({ timestamp: ago(5), event_type: "flow", src_ip: "10.0.0.1" }),
        JSON.stringify({ timestamp: ago(5), event_type: "dns", dns: { rrname: "alert.example" } }),
        alertLine(3, { src_ip: "fd00::1", dest_ip: "2001:4860::8888", http: { hostname: "10.1.1.1", url: "/x" } })
      ]
      const r = yield* run({ "eve.json": log.map((l) => `${l}\n`).join("") })
      expect(r.stdout.map((l) => JSON.parse(l))).toEqual([
        {
          timestamp: ago(10), flow_id: 1, event_type: "alert", src_ip: "xxx.xxx.xxx.23", dest_ip: "8.8.8.8",
          alert: { action: "allowed", signature_id: 2019401, rev: 3 }
        },
        {
          timestamp: ago(3), flow_id: 1, event_type: "alert", src_ip: "xxxx:xxxx:0000:0001", dest_ip: "2001:4860::8888",
          alert: { action: "allowed", signature_id: 2019401, rev: 3 }, http: { hostname: "xxx.xxx.xxx.1" }
        }
      ])
      expect(r.counts).toMatchObject({ files: 1, lines: 4, alerts: 2, selected: 2, printed: 2, badLines: 0, droppedAddresses: 0 })
    }))

  it.scoped("counts corrupt lines, bad timestamps and non-IP addresses, and goes on", () =>
    Effect.gen(function* () {
      const log = [
        'not json but says "alert"',
        alertLine(1, { src_ip: "not-an-ip", dest_ip: 42 }),
        alertLine(1, { timestamp: "yesterday" }),
        '{"event_type":"alert","truncated',
        alertLine(2)
      ]
      const r = yield* run({ "eve.json": log.map((l) => `${l}\n`).join("") })
      expect(r.stdout).toHaveLength(2)
      expect(JSON.parse(r.stdout[0]!)).not.toHaveProperty("src_ip")
      expect(JSON.parse(r.stdout[0]!)).not.toHaveProperty("dest_ip")
      expect(r.counts).toMatchObject({ lines: 5, selected: 2, printed: 2, badLines: 3, droppedAddresses: 2 })
    }))

  it.scoped("only sends listed SIDs when telemetry_sids.txt has any", () =>
    Effect.gen(function* () {
      const log = [alertLine(1), alertLine(1, { alert: { signature_id: 2000001 } })]
      const r = yield* run({ "eve.json": log.join("\n") + "\n", "telemetry_sids.txt": "# sids\n2000001\n" })
      expect(r.stdout.map((l) => JSON.parse(l).alert.signature_id)).toEqual([2000001])
      expect(r.counts).toMatchObject({ alerts: 2, selected: 1, notListed: 1 })
    }))

  it.scoped("--since is measured against the clock", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const log = [alertLine(30), alertLine(90), alertLine(59), alertLine(-5)]
      const r = yield* run({ "eve.json": log.join("\n") + "\n" }, { since: 3_600_000 })
      // Eve logs are not time-ordered: the old record in the middle does not stop the read.
      expect(r.stdout.map((l) => JSON.parse(l).timestamp)).toEqual([ago(30), ago(59), ago(-5)])
      expect(r.counts).toMatchObject({ alerts: 4, selected: 3, expired: 1 })
    }))

  it.scoped("--since follows the clock when it moves", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW + 60 * 60_000)
      const r = yield* run({ "eve.json": [alertLine(30), alertLine(90)].join("\n") + "\n" }, { since: 3_600_000 })
      expect(r.stdout).toEqual([])
      expect(r.counts.expired).toBe(2)
    }))

  it.scoped("--since all ignores the clock", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const r = yield* run({ "eve.json": alertLine(60 * 24 * 365) + "\n" }, { since: "all" })
      expect(r.stdout).toHaveLength(1)
    }))

  it.scoped("--limit stops after N printed records", () =>
    Effect.gen(function* () {
      const r = yield* run({ "eve.json": Array.from({ length: 10 }, () => alertLine(1)).join("\n") + "\n" }, { limit: 3 })
      expect(r.stdout).toHaveLength(3)
      expect(r.counts.printed).toBe(3)
    }))

  it.scoped("reads a log directory oldest file first, and never a partial last line", () =>
    Effect.gen(function* () {
      const line = (sid: number) => alertLine(1, { alert: { signature_id: sid } })
      const r = yield* run({
        "eve.json": `${line(0)}\n${line(99)}`,
        "eve.json.1": `${line(1)}\n`,
        "eve.json.2": `${line(2)}\n`,
        "eve.json.10": `${line(10)}\n`,
        "stats.log": "Date: 11/27/2026\n"
      })
      expect(r.stdout.map((l) => JSON.parse(l).alert.signature_id)).toEqual([10, 2, 1, 0])
      expect(r.counts.files).toBe(4)
    }))

  it.scoped("masks HOME_NET from suricata.yaml and this host's interface networks", () =>
    Effect.gen(function* () {
      const yaml = '%YAML 1.1\n---\nvars:\n  address-groups:\n    HOME_NET: "[$LAN]"\n    LAN: "203.0.113.0/24"\n'
      const r = yield* run(
        {
          "eve.json": alertLine(1, { src_ip: "203.0.113.9", dest_ip: "198.51.100.20", tls: { sni: "203.0.113.1" } }) + "\n",
          "suricata.yaml": yaml
        },
        { interfaces: ["198.51.100.1/24"] }
      )
      expect(r.warnings).toEqual([])
      expect(JSON.parse(r.stdout[0]!)).toMatchObject({
        src_ip: "xxx.xxx.xxx.9",
        dest_ip: "xxx.xxx.xxx.20",
        tls: { sni: "xxx.xxx.xxx.1" }
      })
    }))

  it.scoped("--home-net replaces HOME_NET; private ranges still count", () =>
    Effect.gen(function* () {
      const yaml = 'vars:\n  address-groups:\n    HOME_NET: "203.0.113.0/24"\n'
      const r = yield* run(
        { "eve.json": alertLine(1, { src_ip: "203.0.113.9", dest_ip: "198.51.100.20" }) + "\n", "suricata.yaml": yaml },
        { homeNet: "198.51.100.0/24" }
      )
      expect(JSON.parse(r.stdout[0]!)).toMatchObject({ src_ip: "203.0.113.9", dest_ip: "xxx.xxx.xxx.20" })
    }))

  it.scoped("a missing suricata.yaml is a warning; private ranges are still masked", () =>
    Effect.gen(function* () {
      const r = yield* run({ "eve.json": alertLine(1) + "\n" })
      expect(r.warnings.join("\n")).toMatch(/suricata\.yaml not found/)
      expect(JSON.parse(r.stdout[0]!).src_ip).toBe("xxx.xxx.xxx.23")
    }))

  it.scoped("--explain prints, beside each body, what was dropped and masked, and a summary", () =>
    Effect.gen(function* () {
      const r = yield* run({ "eve.json": alertLine(1, { dest_ip: "bogus" }) + "\n" }, { explain: true })
      const e = JSON.parse(r.stdout[0]!)
      expect(e.sent).toMatchObject({ src_ip: "xxx.xxx.xxx.23", alert: { signature_id: 2019401 } })
      expect(e.sent).not.toHaveProperty("dest_ip")
      expect(e.dropped).toEqual(expect.arrayContaining(["payload", "alert.signature", "alert.severity"]))
      expect(e.masked).toEqual([{ path: "src_ip", from: "192.168.1.23", to: "xxx.xxx.xxx.23", rule: "192.168.0.0/16 (always private)" }])
      expect(e.invalid_addresses).toEqual([{ path: "dest_ip", value: "bogus" }])
      expect(r.stderr.join("\n")).toMatch(/explain: dropped .*payload×1/)
      expect(r.stderr.join("\n")).toMatch(/explain: masked src_ip×1/)
    }))

  it.scoped("--explain says which rule masked what: HOME_NET via include, embedded IPv4, scrubbed text", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const r = yield* run(
        {
          "eve.json": alertLine(5, { src_ip: "198.51.100.7", dest_ip: "64:ff9b::10.1.2.3", tls: { sni: "eth0:fe80::1" } }) + "\n",
          "suricata.yaml": `vars:\n  address-groups:\n    HOME_NET: "[10.0.0.0/8]"\ninclude: custom.yaml\n`,
          "custom.yaml": `vars:\n  address-groups:\n    HOME_NET: "[198.51.100.0/24]"\n`
        },
        { explain: true }
      )
      const e = JSON.parse(r.stdout[0]!)
      const rule = (path: string) => e.masked.find((m: { path: string }) => m.path === path)?.rule
      expect(rule("src_ip")).toMatch(/198\.51\.100\.0\/24 \(HOME_NET in .*custom\.yaml\)/)
      expect(rule("dest_ip")).toMatch(/embedded IPv4 in 10\.0\.0\.0\/8/)
      expect(e.sent.dest_ip).toBe("xxx.xxx.xxx.3")
      // Both sides are local, so the server is (issue 25): its SNI is masked whole, and the rule says why.
      expect(rule("tls.sni")).toMatch(/name of a local server/)
      expect(e.sent.tls.sni).toBe("xxx")
    }))

  it.scoped("a missing log path fails with EveLogError NotFound", () =>
    Effect.gen(function* () {
      const e = yield* Effect.flip(run({}, { logName: "no-such-dir" }))
      expect(e._tag).toBe("EveLogError")
      expect(e._tag === "EveLogError" && e.reason).toBe("NotFound")
    }))
})

describe("dump (raw)", () => {
  it.scoped("prints every record as written, within --since", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const flow = JSON.stringify({ timestamp: ago(5), event_type: "flow", src_ip: "10.0.0.1" })
      const old = JSON.stringify({ timestamp: ago(600), event_type: "dns" })
      const log = [flow, old, alertLine(1), "garbage", JSON.stringify({ event_type: "stats" })]
      const r = yield* run({ "eve.json": log.join("\n") + "\n" }, { parsed: false, since: 3_600_000 })
      expect(r.stdout).toEqual([flow, alertLine(1)])
      expect(r.counts.badLines).toBe(1)
    }))
})

describe("summary", () => {
  it("is one line with every count", () => {
    const s = summary({ files: 1, lines: 2, alerts: 3, selected: 4, printed: 5, badLines: 6, droppedAddresses: 7, expired: 8, notListed: 9, nulBytes: 0 })
    expect(s).toMatch(/^emergingthreats: dump: /)
    expect(s).not.toContain("\n")
    for (const n of ["1 files", "2 lines", "3 alerts", "4 selected", "5 printed", "6 bad lines", "7 dropped", "8 expired", "9 not in"]) {
      expect(s).toContain(n)
    }
  })
})
