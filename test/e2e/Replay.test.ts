/**
 * `replay` end to end in-process: a recorded log goes through the sanitiser and the real HTTP client into the
 * embedded service (or another service by URL) on simulated time. Logs are written by the tests, so the
 * expected transition times are computed here from the log, not copied from a run.
 */
import { describe, expect, it } from "@effect/vitest"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { Effect, Layer } from "effect"
import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as EveLog from "../../src/adapters/EveLog.js"
import * as HostNetworks from "../../src/adapters/HostNetworks.js"
import * as Output from "../../src/adapters/Output.js"
import * as SqliteStore from "../../src/reference/SqliteStore.js"
import { ALWAYS_PRIVATE, makeNetworkSet, parseCidrs } from "../../src/domain/Network.js"
import { describeFailure } from "../../src/main/Failure.js"
import { replaySensorLayer } from "../../src/main/layers.js"
import { replay, type ReplayRun } from "../../src/main/programs/Replay.js"
import { startEmbedded } from "../../src/reference/Embedded.js"
import { start } from "../../src/reference/Service.js"

const M = 60_000
const H = 60 * M
const D = 24 * H
const T0 = Date.UTC(2026, 9, 10, 6, 0, 0)

const ts = (ms: number) => new Date(ms).toISOString().replace("Z", "000+0000")
const alert = (ms: number, src = "192.168.7.9") =>
  JSON.stringify({
    timestamp: ts(ms),
    event_type: "alert",
    src_ip: src,
    dest_ip: "203.0.113.50",
    alert: { action: "allowed", signature_id: 2850001, rev: 1, signature: "x", source: { ip: src, port: 1 } },
    tls: { subject: `CN=${src}` }
  })

const writeLog = (lines: ReadonlyArray<string>) =>
  Effect.promise(async () => {
    const dir = await mkdtemp(join(tmpdir(), "replay-"))
    const path = join(dir, "eve.json")
    await writeFile(path, lines.join("\n") + "\n")
    return path
  })

const local = makeNetworkSet(parseCidrs(ALWAYS_PRIVATE).cidrs)

/** Runs a replay and returns what it printed on stdout and its totals. */
const run = (opts: Partial<ReplayRun> & { log: string }) =>
  Effect.gen(function* () {
    const totals = yield* replay({ pace: { _tag: "instant" }, local, sids: new Set(), maxAgeMs: D, embedded: startEmbedded, sensorLayer: replaySensorLayer, ...opts })
    const out = yield* Output.CapturedOutput
    return { text: out.stdout.join(""), totals }
  }).pipe(
    Effect.provide(
      Layer.mergeAll(Output.layerTest(), EveLog.layer, HostNetworks.layerStatic([]), NodeFileSystem.layer)
    )
  )

/** Timeline lines: [time, status]. */
const timeline = (text: string) =>
  text.split("\n").flatMap((l) => {
    const m = /^(\S+Z)\s+(ACTIVE|DORMANT|DISABLED)\s/.exec(l)
    return m === null ? [] : [[m[1]!, m[2]!] as const]
  })
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, "Z")

/** Alerts every 30 min for 30 h, six days of silence, then alerts every 30 min for 5 h. */
const silenceLog = () => {
  const before = Array.from({ length: 61 }, (_, i) => T0 + i * 30 * M)
  const lastBefore = before.at(-1)!
  const resume = lastBefore + 6 * D
  const after = Array.from({ length: 11 }, (_, i) => resume + i * 30 * M)
  return { lines: [...before, ...after].map((t) => alert(t)), lastBefore, resume, count: before.length + after.length }
}

describe("replay", () => {
  it.live("a six-day silence goes ACTIVE → DORMANT → DISABLED, then ACTIVE again when events resume", () =>
    Effect.gen(function* () {
      const s = silenceLog()
      const log = yield* writeLog(s.lines)
      const { text, totals } = yield* run({ log })
      expect(timeline(text)).toEqual([
        [iso(T0), "ACTIVE"],
        [iso(s.lastBefore + D), "DORMANT"],
        [iso(s.lastBefore + 5 * D), "DISABLED"],
        [iso(s.resume), "ACTIVE"]
      ])
      // The embedded service agreed at every transition.
      expect(text).not.toContain("service says")
      expect(totals).toMatchObject({ ledger: { sent: s.count, rejected: 0 }, failed: 0, transitions: 3, serviceDisagreements: 0 })
      // One heartbeat an hour of simulated time, the first at the start.
      expect(totals.heartbeats).toBe(Math.floor((s.resume + 10 * 30 * M - T0) / H) + 1)
      expect(text).toMatch(new RegExp(`service: ${s.count} events and ${totals.heartbeats} heartbeats stored, 0 privacy violations`))
    })
  )

  // it.effect runs on TestClock, which never moves by itself: a replay that waited on the clock would hang here.
  it.effect("--instant never waits on a clock: eight simulated days pass with TestClock standing still", () =>
    Effect.gen(function* () {
      const s = silenceLog()
      const log = yield* writeLog(s.lines)
      const { totals } = yield* run({ log })
      expect(totals.ledger.sent).toBe(s.count)
      expect(totals.transitions).toBe(3)
    })
  )

  it.live("the same log gives the same output, twice", () =>
    Effect.gen(function* () {
      const s = silenceLog()
      // Some disorder and some bad lines, so more than the happy path is compared.
      const lines = [...s.lines]
      lines.splice(5, 0, alert(T0 + 10 * M), "not json", '{"event_type":"alert","timestamp":"soon"}')
      const log = yield* writeLog(lines)
      const a = yield* run({ log })
      const b = yield* run({ log })
      expect(a.text).toBe(b.text)
      expect(a.totals.lateRecords).toBe(1)
      expect(a.totals.badLines).toBe(1)
      expect(a.totals.noTimestamp).toBe(1)
    })
  )

  it.live("sends only sanitised events: local addresses masked, nothing for the service to flag", () =>
    Effect.gen(function* () {
      const log = yield* writeLog([alert(T0, "10.9.8.7"), alert(T0 + M, "fd00::7")])
      const { text, totals } = yield* run({ log })
      expect(totals.ledger.sent).toBe(2)
      // src_ip and alert.source.ip of each; tls.subject is dropped, not masked (issue 25: without direction or
      // telling ports the local side, the src here, is the server, and a local server's certificate is not sent).
      expect(totals.maskedValues).toBe(4)
      expect(text).toContain("0 privacy violations")
    })
  )

  it.live("records older than --max-age on simulated time are not sent", () =>
    Effect.gen(function* () {
      const log = yield* writeLog([alert(T0 + 3 * D), alert(T0), alert(T0 + 3 * D + M)])
      const { totals } = yield* run({ log })
      expect(totals).toMatchObject({ ledger: { sent: 2, expired: 1 }, lateRecords: 1 })
    })
  )

  it.scoped("replays into another service by URL, and stops with exit code 3 when it refuses the token", () =>
    Effect.gen(function* () {
      const store = yield* Layer.build(SqliteStore.layerMemory)
      const svc = yield* Effect.provide(start({ tokens: ["remote-token"] }), store)
      const log = yield* writeLog([alert(T0), alert(T0 + M), alert(T0 + 2 * M)])
      const ok = yield* Effect.promise(() => Effect.runPromise(run({ log, baseUrl: svc.url, token: "remote-token" })))
      expect(ok.totals.ledger.sent).toBe(3)
      expect((yield* svc.store.counts).events).toBe(3)
      expect(ok.text).not.toContain("service:")
      const refused = yield* Effect.promise(() =>
        Effect.runPromise(Effect.flip(run({ log, baseUrl: svc.url, token: "wrong" })))
      )
      expect(refused).toMatchObject({ _tag: "TokenRefused" })
      expect(describeFailure(refused).exitCode).toBe(3)
      expect(String((refused as { message: string }).message)).not.toContain("wrong")
    })
  )
})
