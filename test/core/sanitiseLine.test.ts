/**
 * `sanitiseLine` from `etpro-telemetry/core`, imported by the package's name as a user would (Node resolves
 * the package's own `exports`; the build puts dist/core there), on real eve lines (fixtures/sample/eve.json)
 * and checked against the built CLI's `dump --parsed` on the same lines.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Stream } from "effect"
import {
  InvalidSanitiseOptions,
  makeLineSanitiser,
  MAX_LINE_BYTES,
  type SanitiseResult,
  sanitiseLine,
  sanitiseLineEffect,
  sanitiseLines
} from "etpro-telemetry/core"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { MAX_LINE_BYTES as AGENT_MAX_LINE_BYTES } from "../../src/adapters/EveLog.js"
import { REPO } from "../support/BuiltCli.js"
import { dumpParsed, hostNetworks } from "./dumpCli.js"

const FIXTURE = readFileSync(join(REPO, "fixtures/sample/eve.json"), "utf8")
const fixtureLines = FIXTURE.split("\n").filter((l) => l !== "")
const HOME = ["192.168.0.0/16", "2001:db8::/32"]

const eventsOf = (results: ReadonlyArray<SanitiseResult>) => results.flatMap((r) => (r.kind === "event" ? [r.body] : []))

const alert = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    timestamp: "2026-11-27T10:00:00.000000+0000",
    event_type: "alert",
    src_ip: "192.168.1.20",
    dest_ip: "93.184.216.34",
    alert: { signature_id: 2013028, rev: 4, signature: "ET POLICY curl User-Agent" },
    payload: "R0VUIC8=",
    ...over
  })

describe("sanitiseLine on the sample eve.json", () => {
  it("prints the same bodies, byte for byte and in order, as `dump --parsed` with the same HOME_NET", async () => {
    const localNetworks = hostNetworks()
    const mine = eventsOf(fixtureLines.map((l) => sanitiseLine(l, { homeNet: HOME, localNetworks })))
    const agent = await dumpParsed(FIXTURE, { homeNet: HOME })
    // The sample holds alerts enough for the comparison to mean something.
    expect(mine.length).toBeGreaterThan(50)
    expect(mine).toEqual(agent)
  })

  it("with a SID list, the same bodies as `dump --parsed` with that telemetry_sids.txt", async () => {
    const sids = [...new Set(fixtureLines.flatMap((l) => /"signature_id":(\d+)/.exec(l)?.[1] ?? []))].slice(0, 2).map(Number)
    expect(sids.length).toBe(2)
    const mine = eventsOf(fixtureLines.map((l) => sanitiseLine(l, { homeNet: HOME, localNetworks: hostNetworks(), sids })))
    const agent = await dumpParsed(FIXTURE, { homeNet: HOME, sids })
    expect(mine.length).toBeGreaterThan(0)
    expect(mine).toEqual(agent)
  })

  it("skips the sample's non-alerts and broken lines, saying why", () => {
    const reasons = new Set(fixtureLines.map((l) => sanitiseLine(l, { homeNet: HOME })).flatMap((r) => (r.kind === "skipped" ? [r.reason] : [])))
    expect(reasons).toEqual(new Set(["not-alert", "bad-line", "bad-timestamp"]))
  })
})

describe("sanitiseLine", () => {
  it("masks HOME_NET and keeps only the allow-listed fields", () => {
    const r = sanitiseLine(alert({ src_ip: "203.0.113.9" }), { homeNet: ["203.0.113.0/24"] })
    expect(r).toEqual({
      kind: "event",
      droppedAddresses: 0,
      body: '{"timestamp":"2026-11-27T10:00:00.000000+0000","event_type":"alert","src_ip":"xxx.xxx.xxx.9","dest_ip":"93.184.216.34","alert":{"signature_id":2013028,"rev":4}}'
    })
  })

  it("reads HOME_NET as --home-net does: groups, ranges, a negated entry removed (Suricata's detect-engine-address.c)", () => {
    const opts = { homeNet: "[203.0.113.0/25,!203.0.113.9,[198.18.0.0/15]]" }
    expect(sanitiseLine(alert({ src_ip: "203.0.113.5" }), opts)).toMatchObject({ kind: "event", body: expect.stringContaining('"src_ip":"xxx.xxx.xxx.5"') })
    expect(sanitiseLine(alert({ src_ip: "203.0.113.9" }), opts)).toMatchObject({ kind: "event", body: expect.stringContaining('"src_ip":"203.0.113.9"') })
    expect(sanitiseLine(alert({ src_ip: "198.19.0.1" }), opts)).toMatchObject({ body: expect.stringContaining('"src_ip":"xxx.xxx.xxx.1"') })
    expect(sanitiseLine(alert({ src_ip: "203.0.113.200" }), opts)).toMatchObject({ body: expect.stringContaining('"src_ip":"203.0.113.200"') })
    expect(sanitiseLine(alert({ src_ip: "198.51.100.7" }), { homeNet: ["198.51.100.1-198.51.100.10"] })).toMatchObject({
      body: expect.stringContaining('"src_ip":"xxx.xxx.xxx.7"')
    })
  })

  it("masks localNetworks too", () => {
    const r = sanitiseLine(alert({ dest_ip: "93.184.216.34" }), { homeNet: [], localNetworks: ["93.184.216.0/24"] })
    expect(r).toMatchObject({ body: expect.stringContaining('"dest_ip":"xxx.xxx.xxx.34"') })
  })

  it("selects by SID: absent means every alert, a list only its SIDs, an empty list none", () => {
    expect(sanitiseLine(alert(), { homeNet: [] }).kind).toBe("event")
    expect(sanitiseLine(alert(), { homeNet: [], sids: [2013028] }).kind).toBe("event")
    expect(sanitiseLine(alert(), { homeNet: [], sids: new Set([1]) })).toEqual({ kind: "skipped", reason: "sid-not-listed" })
    expect(sanitiseLine(alert(), { homeNet: [], sids: [] })).toEqual({ kind: "skipped", reason: "sid-not-listed" })
  })

  it("skips what send-events skips: non-alerts, broken lines, bad timestamps, expired alerts, over-long lines", () => {
    const o = { homeNet: [] }
    expect(sanitiseLine('{"event_type":"dns"}', o)).toEqual({ kind: "skipped", reason: "not-alert" })
    expect(sanitiseLine('{"event_type":"alert" broken', o)).toEqual({ kind: "skipped", reason: "bad-line" })
    expect(sanitiseLine(alert({ timestamp: "yesterday" }), o)).toEqual({ kind: "skipped", reason: "bad-timestamp" })
    expect(sanitiseLine(alert(), { ...o, notBefore: Date.parse("2026-11-28T00:00:00Z") })).toEqual({ kind: "skipped", reason: "expired" })
    expect(sanitiseLine(alert({ payload: "x".repeat(MAX_LINE_BYTES) }), o)).toEqual({ kind: "skipped", reason: "line-too-long" })
    // The agent's reader never decodes a line without `"alert"` in it: an escaped spelling is not sent.
    expect(sanitiseLine(alert().replace('"event_type":"alert"', '"event_type":"\\u0061lert"').replace('"alert":{', '"x":{'), o)).toEqual({
      kind: "skipped",
      reason: "not-alert"
    })
    expect(sanitiseLine(`${alert()}\n${alert()}`, o)).toEqual({ kind: "skipped", reason: "bad-line" })
    expect(sanitiseLine(`${alert()}\r`, o)).toEqual(sanitiseLine(alert(), o))
  })

  it("has the agent's line limit", () => {
    expect(MAX_LINE_BYTES).toBe(AGENT_MAX_LINE_BYTES)
  })

  it("refuses options it cannot understand, rather than mask less", () => {
    expect(() => sanitiseLine(alert(), { homeNet: ["10.0.0.0/8", "not-a-network"] })).toThrow(InvalidSanitiseOptions)
    expect(() => sanitiseLine(alert(), { homeNet: "[10.0.0.0/8" })).toThrow(/homeNet/)
    expect(() => sanitiseLine(alert(), { homeNet: [], localNetworks: ["10.0.0.0/33"] })).toThrow(/localNetworks/)
    expect(() => sanitiseLine(alert(), { homeNet: [], sids: [1.5] })).toThrow(/sids/)
  })

  it("internalDomains: names under them are masked as --internal-domains masks them; a bad entry is refused", () => {
    const named = alert({ direction: "to_server", app_proto: "http", http: { hostname: "nas.corp.example", http_method: "GET" } })
    const hostOf = (r: ReturnType<typeof sanitiseLine>) => (r.kind === "event" ? JSON.parse(r.body).http.hostname : undefined)
    // 93.184.216.34 is the (public) server: only the name policy can hide this name.
    expect(hostOf(sanitiseLine(named, { homeNet: [] }))).toBe("nas.corp.example")
    const masked = hostOf(sanitiseLine(named, { homeNet: [], internalDomains: ["corp.example"] }))
    expect(masked).toMatch(/^xxx\.xxx\.example$/)
    expect(() => sanitiseLine(alert(), { homeNet: [], internalDomains: ["corp example"] })).toThrow(/internalDomains/)
  })

  it("makeLineSanitiser gives the same results, its options read once", () => {
    const opts = { homeNet: HOME }
    const s = makeLineSanitiser(opts)
    expect(fixtureLines.map(s)).toEqual(fixtureLines.map((l) => sanitiseLine(l, opts)))
  })
})

describe("the Effect programs", () => {
  it.effect("sanitiseLineEffect: the same result; bad options a typed failure", () =>
    Effect.gen(function* () {
      const line = fixtureLines.find((l) => l.includes('"event_type":"alert"'))!
      expect(yield* sanitiseLineEffect(line, { homeNet: HOME })).toEqual(sanitiseLine(line, { homeNet: HOME }))
      const bad = yield* Effect.either(sanitiseLineEffect(line, { homeNet: ["nope"] }))
      expect(Either.isLeft(bad) && bad.left._tag).toBe("InvalidSanitiseOptions")
    }))

  it.effect("sanitiseLines: a stream of lines to a stream of results", () =>
    Effect.gen(function* () {
      const out = yield* Stream.fromIterable(fixtureLines).pipe(sanitiseLines({ homeNet: HOME }), Stream.runCollect)
      expect([...out]).toEqual(fixtureLines.map((l) => sanitiseLine(l, { homeNet: HOME })))
    }))
})
