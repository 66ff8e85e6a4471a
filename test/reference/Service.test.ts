/**
 * The reference service over real loopback HTTP (node's fetch), on TestClock time: auth, body limits, bad
 * JSON, license transitions, rulesets by license, admin endpoints and the privacy check.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, TestClock } from "effect"
import { mkdtemp, writeFile } from "node:fs/promises"
import { request as httpRequest } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { list as tarList } from "tar"
import * as SqliteStore from "../../src/reference/SqliteStore.js"
import { ALWAYS_PRIVATE, makeNetworkSet, parseCidrs } from "../../src/domain/Network.js"
import { eventToJson, makeSanitiser } from "../../src/domain/Sanitise.js"
import { type RunningService, start } from "../../src/reference/Service.js"

const TOKEN = "sensor-token-1"
const H = 3_600_000
const D = 24 * H
const T0 = Date.UTC(2026, 10, 1, 12, 0, 0)

interface Answer {
  readonly status: number
  readonly body: string
  readonly json: any
  readonly headers: Headers
}

const call = (
  svc: RunningService,
  method: string,
  path: string,
  o: { token?: string | null; body?: string; admin?: string } = {}
) =>
  Effect.promise(async (): Promise<Answer> => {
    const headers: Record<string, string> = {}
    const token = o.token === undefined ? TOKEN : o.token
    if (token !== null) headers.authorization = `Bearer ${token}`
    if (o.admin !== undefined) headers["x-admin-key"] = o.admin
    if (o.body !== undefined) headers["content-type"] = "application/json"
    const r = await fetch(svc.url + path, { method, headers, ...(o.body === undefined ? {} : { body: o.body }) })
    const body = r.headers.get("content-type")?.includes("json") ? await r.text() : ""
    if (body === "") await r.arrayBuffer().catch(() => undefined)
    let json: unknown
    try {
      json = JSON.parse(body)
    } catch {
      json = undefined
    }
    return { status: r.status, body, json, headers: r.headers }
  })

/** A service on TestClock time, registered at T0. */
const service = (tokens: ReadonlyArray<string> = [TOKEN]) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(T0)
    // The store lives as long as the test's scope.
    const store = yield* Layer.build(SqliteStore.layerMemory)
    return yield* Effect.provide(start({ tokens, adminKey: "admin-secret" }), store)
  })

const status = (svc: RunningService) => Effect.map(call(svc, "GET", "/api/v1/sensorinfo"), (a) => a.json.sensor_status as string)
const heartbeat = (svc: RunningService) => call(svc, "POST", "/api/v1/telemetry", { body: '{"system_time":1}' })
const event = (svc: RunningService, body = '{"event_type":"alert","src_ip":"xxx.xxx.xxx.1"}') =>
  call(svc, "POST", "/api/v1/event", { body })

/** A raw POST through node:http, for a body sent in chunks without Content-Length. */
const chunkedPost = (url: string, chunks: number, chunkBytes: number) =>
  Effect.promise(
    () =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest(url + "/api/v1/event", {
          method: "POST",
          headers: { authorization: `Bearer ${TOKEN}`, "transfer-encoding": "chunked" }
        }, (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        })
        req.on("error", reject)
        const piece = Buffer.alloc(chunkBytes, 0x61)
        let i = 0
        const pump = () => {
          while (i < chunks) {
            i++
            if (!req.write(piece)) return void req.once("drain", pump)
          }
          req.end()
        }
        pump()
      })
  )

describe("reference service: the sensor API", () => {
  it.scoped("accepts a known token's event and heartbeat with 201", () =>
    Effect.gen(function* () {
      const svc = yield* service()
      expect((yield* event(svc)).status).toBe(201)
      expect((yield* heartbeat(svc)).status).toBe(201)
      const c = yield* svc.store.counts
      expect(c).toMatchObject({ sensors: 1, events: 1, heartbeats: 1, violations: 0 })
    })
  )

  it.scoped("refuses a missing, unknown or malformed token with 401 and stores nothing", () =>
    Effect.gen(function* () {
      const svc = yield* service()
      for (const token of [null, "not-registered", ""]) {
        expect((yield* call(svc, "POST", "/api/v1/event", { token, body: "{}" })).status).toBe(401)
        expect((yield* call(svc, "GET", "/api/v1/sensorinfo", { token })).status).toBe(401)
      }
      const raw = yield* Effect.promise(() =>
        fetch(svc.url + "/api/v1/sensorinfo", { headers: { authorization: `Basic ${TOKEN}` } })
      )
      expect(raw.status).toBe(401)
      expect((yield* svc.store.counts).events).toBe(0)
    })
  )

  it.scoped("deeply nested JSON is a 400, not a 500, for events and heartbeats; 64 levels still pass", () =>
    Effect.gen(function* () {
      const svc = yield* service()
      for (const depth of [100, 100_000]) {
        const deep = `{"event_type":"alert","x":${"[".repeat(depth)}${"]".repeat(depth)}}`
        const e = yield* event(svc, deep)
        expect(e.status).toBe(400)
        expect(e.json.error).toMatch(/nested deeper than 64 levels/)
        expect((yield* call(svc, "POST", "/api/v1/telemetry", { body: deep })).status).toBe(400)
      }
      // Brackets inside strings are text, not nesting.
      expect((yield* event(svc, `{"event_type":"alert","x":"${"[".repeat(1000)}\\\"{"}`)).status).toBe(201)
      expect((yield* event(svc, `{"event_type":"alert","x":${"[".repeat(63)}${"]".repeat(63)}}`)).status).toBe(201)
      expect((yield* svc.store.counts).events).toBe(2)
    })
  )

  it.scoped("answers 413 for a body over 1 MiB, declared or chunked, and 201 just under it", () =>
    Effect.gen(function* () {
      const svc = yield* service()
      const big = `{"x":"${"a".repeat(1024 * 1024)}"}`
      expect((yield* event(svc, big)).status).toBe(413)
      expect(yield* chunkedPost(svc.url, 70, 16 * 1024)).toBe(413)
      const fits = `{"event_type":"alert","in_iface":"${"e".repeat(1024 * 1024 - 100)}"}`
      expect(Buffer.byteLength(fits)).toBeLessThan(1024 * 1024)
      expect((yield* event(svc, fits)).status).toBe(201)
      // The service is still there after dropping the oversized connections.
      expect((yield* event(svc)).status).toBe(201)
      expect((yield* svc.store.counts).events).toBe(2)
    })
  )

  it.scoped("answers 400 for a body that is not JSON or not an object", () =>
    Effect.gen(function* () {
      const svc = yield* service()
      for (const body of ["{bad", "", "[1,2]", '"text"', "null"]) {
        const a = yield* event(svc, body)
        expect(a.status, body).toBe(400)
        expect(typeof a.json.error).toBe("string")
      }
      expect((yield* heartbeat(svc)).status).toBe(201)
      expect((yield* call(svc, "POST", "/api/v1/telemetry", { body: "{" })).status).toBe(400)
      expect((yield* svc.store.counts).events).toBe(0)
    })
  )

  it.scoped("sensorinfo has the SPEC fields as ISO 8601 times", () =>
    Effect.gen(function* () {
      const svc = yield* service()
      yield* heartbeat(svc)
      yield* TestClock.adjust("10 minutes")
      yield* event(svc)
      const info = (yield* call(svc, "GET", "/api/v1/sensorinfo")).json
      expect(info.sensor_status).toBe("active")
      expect(info.created).toBe(new Date(T0).toISOString())
      expect(info.last_heartbeat).toBe(new Date(T0).toISOString())
      expect(info.event_received).toBe(new Date(T0 + 10 * 60_000).toISOString())
      expect(info.disable_date).toBe(new Date(T0 + 10 * 60_000 + 5 * D).toISOString())
      expect(info.last_rule_download).toBeNull()
    })
  )

  it.scoped("unknown paths are 404 and wrong methods 405", () =>
    Effect.gen(function* () {
      const svc = yield* service()
      expect((yield* call(svc, "GET", "/api/v1/nothing")).status).toBe(404)
      expect((yield* call(svc, "GET", "/api/v1/event")).status).toBe(405)
      expect((yield* call(svc, "POST", "/api/v1/sensorinfo", { body: "{}" })).status).toBe(405)
    })
  )
})

describe("reference service: license transitions on simulated time", () => {
  it.scoped("ACTIVE → DORMANT without a heartbeat for 2 h, ACTIVE again on the next one", () =>
    Effect.gen(function* () {
      const svc = yield* service()
      yield* heartbeat(svc)
      expect(yield* status(svc)).toBe("active")
      yield* TestClock.adjust(2 * H - 1)
      expect(yield* status(svc)).toBe("active")
      yield* TestClock.adjust(1)
      expect(yield* status(svc)).toBe("dormant")
      yield* heartbeat(svc)
      expect(yield* status(svc)).toBe("active")
    })
  )

  it.scoped("ACTIVE → DORMANT after 24 h without events → DISABLED after 5 days → ACTIVE on an event", () =>
    Effect.gen(function* () {
      const svc = yield* service()
      const seen: Array<string> = []
      const note = Effect.flatMap(status(svc), (s) => Effect.sync(() => void (seen.at(-1) === s || seen.push(s))))
      yield* event(svc)
      // Heartbeats every hour throughout: only the events stop.
      for (let h = 0; h < 6 * 24; h++) {
        yield* heartbeat(svc)
        yield* note
        yield* TestClock.adjust(H)
      }
      expect(seen).toEqual(["active", "dormant", "disabled"])
      const info = (yield* call(svc, "GET", "/api/v1/sensorinfo")).json
      expect(info.disable_date).toBe(new Date(T0 + 5 * D).toISOString())
      yield* event(svc)
      expect(yield* status(svc)).toBe("active")
    })
  )

  it.scoped("serves ET Pro while ACTIVE or DORMANT and ET Open once DISABLED, recording the download", () =>
    Effect.gen(function* () {
      const svc = yield* service()
      const dir = yield* Effect.promise(() => mkdtemp(join(tmpdir(), "svc-rules-")))
      const fetchRules = Effect.gen(function* () {
        const v = (yield* call(svc, "GET", "/api/v1/ruleset/version")).json.version as string
        const r = yield* Effect.promise(() =>
          fetch(svc.url + "/api/v1/ruleset/engine/suricata/5", { headers: { authorization: `Bearer ${TOKEN}` } })
        )
        expect(r.status).toBe(200)
        const file = join(dir, `${v}.tar.gz`)
        yield* Effect.promise(async () => writeFile(file, Buffer.from(await r.arrayBuffer())))
        const members: Array<string> = []
        yield* Effect.promise(() => tarList({ file, onReadEntry: (e) => void members.push(e.path) }))
        return { version: v, members: members.sort() }
      })
      yield* heartbeat(svc)
      const pro = yield* fetchRules
      expect(pro.version).toBe(svc.rulesets.pro.version)
      expect(pro.members).toEqual([...svc.rulesets.pro.members].sort())
      expect(pro.members).toContain("rules/telemetry_sids.txt")
      expect(pro.members.every((m) => /^rules\/[^/]+\.rules$|^rules\/telemetry_(sids\.txt|version\.json)$/.test(m))).toBe(true)
      // The archive says its own version, the one the version endpoint gives (the agent checks they agree).
      expect(pro.members).toContain("rules/telemetry_version.json")
      const info = (yield* call(svc, "GET", "/api/v1/sensorinfo")).json
      expect(info.last_rule_download).toBe(new Date(T0).toISOString())

      yield* TestClock.adjust(3 * H)
      expect(yield* status(svc)).toBe("dormant")
      expect((yield* fetchRules).version).toBe(pro.version)

      yield* TestClock.adjust(5 * D)
      expect(yield* status(svc)).toBe("disabled")
      const open = yield* fetchRules
      expect(open.version).toBe(svc.rulesets.open.version)
      expect(open.version).not.toBe(pro.version)
      expect(open.members).toEqual([...svc.rulesets.open.members].sort())
    })
  )
})

describe("reference service: admin API", () => {
  it.scoped("refuses a wrong or missing admin key", () =>
    Effect.gen(function* () {
      const svc = yield* service()
      expect((yield* call(svc, "GET", "/admin/sensors")).status).toBe(401)
      expect((yield* call(svc, "GET", "/admin/sensors", { admin: "admin-secreT" })).status).toBe(401)
      // A sensor token is not an admin key.
      expect((yield* call(svc, "GET", "/admin/events", { admin: TOKEN })).status).toBe(401)
    })
  )

  it.scoped("registers a token, then lists sensors (with license), events and heartbeats without tokens", () =>
    Effect.gen(function* () {
      const svc = yield* service([])
      expect((yield* event(svc)).status).toBe(401)
      const reg = yield* call(svc, "POST", "/admin/tokens", { admin: "admin-secret", body: JSON.stringify({ token: TOKEN, name: "fw1" }) })
      expect(reg.status).toBe(201)
      const again = yield* call(svc, "POST", "/admin/tokens", { admin: "admin-secret", body: JSON.stringify({ token: TOKEN }) })
      expect(again.status).toBe(200)
      expect(again.json.sensor_id).toBe(reg.json.sensor_id)
      yield* heartbeat(svc)
      yield* event(svc, '{"event_type":"alert","alert":{"signature_id":2850001}}')
      yield* event(svc, '{"event_type":"alert","alert":{"signature_id":2850002}}')
      const sensors = yield* call(svc, "GET", "/admin/sensors", { admin: "admin-secret" })
      expect(sensors.json).toHaveLength(1)
      expect(sensors.json[0]).toMatchObject({ name: "fw1", sensor_status: "active", events_received: 2, heartbeats_received: 1 })
      const events = yield* call(svc, "GET", "/admin/events?limit=1", { admin: "admin-secret" })
      expect(events.json).toHaveLength(1)
      expect(events.json[0].body.alert.signature_id).toBe(2850002)
      const older = yield* call(svc, "GET", `/admin/events?before=${events.json[0].id}`, { admin: "admin-secret" })
      expect(older.json.map((e: any) => e.body.alert.signature_id)).toEqual([2850001])
      const hbs = yield* call(svc, "GET", "/admin/heartbeats", { admin: "admin-secret" })
      expect(hbs.json).toHaveLength(1)
      for (const a of [sensors, events, hbs]) expect(a.body).not.toContain(TOKEN)
    })
  )
})

describe("reference service: privacy check", () => {
  it.scoped("counts and lists unmasked private addresses and keys outside the allow-lists; stores the event anyway", () =>
    Effect.gen(function* () {
      const svc = yield* service()
      const leaky = {
        event_type: "alert",
        src_ip: "10.1.2.3",
        dest_ip: "203.0.113.5",
        payload: "abc",
        alert: { signature_id: 1, signature: "secret", source: { ip: "xxx.xxx.xxx.3", port: 1 } },
        tls: { subject: "CN=host, O=fe80::1%em0", sni: "[::ffff:192.168.1.7]" }
      }
      expect((yield* event(svc, JSON.stringify(leaky))).status).toBe(201)
      const v = (yield* call(svc, "GET", "/admin/violations", { admin: "admin-secret" })).json
      const found = v.violations.map((x: any) => `${x.kind} ${x.path}`).sort()
      expect(found).toEqual(["address src_ip", "address tls.sni", "address tls.subject", "key alert.signature", "key payload"])
      expect(v.count).toBe(5)
      expect(v.events_with_violations).toBe(1)
      // The listing names the range and shows the address masked, never as it leaked.
      expect(JSON.stringify(v)).not.toContain("10.1.2.3")
      expect((yield* svc.store.counts).events).toBe(1)
    })
  )

  it.scoped("finds nothing in what the agent's sanitiser sends", () =>
    Effect.gen(function* () {
      const svc = yield* service()
      const sanitise = makeSanitiser(makeNetworkSet(parseCidrs(ALWAYS_PRIVATE).cidrs))
      const record = {
        timestamp: "2026-11-01T12:00:00.000000+0000",
        flow_id: 18446744073709551615n,
        event_type: "alert",
        src_ip: "192.168.1.23",
        dest_ip: "fd00::1",
        alert: { action: "allowed", signature_id: 2850001, rev: 1, gid: 1, source: { ip: "192.168.1.23", port: 5 }, target: { ip: "fd00::1", port: 443 } },
        http: { hostname: "10.0.0.1", url: "/x", http_method: "GET" },
        tls: { subject: "CN=172.16.0.9", sni: "fe80::1", ja3: { hash: "h", string: "s" } },
        payload: "x"
      }
      const body = eventToJson(sanitise(record).event)
      expect((yield* event(svc, body)).status).toBe(201)
      const v = (yield* call(svc, "GET", "/admin/violations", { admin: "admin-secret" })).json
      expect(v.violations).toEqual([])
      expect(v.count).toBe(0)
    })
  )
})
