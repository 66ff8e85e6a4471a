/**
 * The reference service's routes (SPEC sections 2, 7, 9) as Effects from a plain request to a response, on
 * the SqliteStore and the Clock (so tests and `replay` drive the service on simulated time).
 *
 * Sensor API (Bearer token; unknown or missing → 401):
 *   POST /api/v1/event            one sanitised event → 201 (checked against the privacy invariant, stored)
 *   POST /api/v1/telemetry        heartbeat → 201
 *   GET  /api/v1/sensorinfo       license status and times (ISO 8601)
 *   GET  /api/v1/ruleset/version  {"version"} of the ruleset this sensor is served
 *   GET  /api/v1/ruleset/engine/suricata/5   the .tar.gz (ET Pro while ACTIVE/DORMANT, ET Open when DISABLED)
 * Admin API (`X-Admin-Key`; wrong or missing → 401):
 *   POST /admin/tokens {"token", "name"?}, GET /admin/sensors, /admin/events, /admin/heartbeats,
 *   /admin/violations (`?sensor=ID&before=ID&limit=N`), GET /admin/stats
 */
import { Clock, Effect } from "effect"
import { createHash, timingSafeEqual } from "node:crypto"
import type { SensorRow, SqliteStoreService } from "./SqliteStore.js"
import { DEFAULT_WINDOWS, license, type LicenseWindows } from "../domain/License.js"
import { wireStatus } from "../domain/StatusNames.js"
import { json, type Request, type Response } from "./HttpServer.js"
import { checkEvent } from "./PrivacyCheck.js"
import { type Rulesets, rulesetFor } from "./Rulesets.js"

export interface ApiDeps {
  readonly store: SqliteStoreService
  readonly rulesets: Rulesets
  readonly adminKey: string
  readonly windows?: LicenseWindows
  /**
   * Answers 503 to one event in this many (chosen by a hash of its body), its first FAULTY_TRIES times, as an
   * overloaded service would: `skip` gives up on it, `at-least-once` gets it through (the demo shows both).
   * Absent: every valid event is stored.
   */
  readonly eventFaults?: number
}

/** How often a faulty event is failed before it is stored (`eventFaults`): the `skip` policy's tries. */
const FAULTY_TRIES = 3

export const tokenHash = (token: string): string => createHash("sha256").update(token, "utf8").digest("hex")
/** A sensor's public id: derived from the token's hash, never the token. */
export const sensorIdFor = (token: string): string => tokenHash(`sensor:${token}`).slice(0, 12)

const iso = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString()

const bearer = (req: Request): string | undefined => {
  const h = req.headers.authorization
  if (typeof h !== "string") return undefined
  const m = /^Bearer\s+(.+)$/i.exec(h.trim())
  return m === null ? undefined : m[1]!.trim()
}

const sameSecret = (a: string, b: string): boolean =>
  timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest())

const unauthorized = json(401, { error: "unknown or missing token" })
const notFound = json(404, { error: "not found" })
const notAllowed = (allow: string): Response => ({
  status: 405,
  headers: { "content-type": "application/json", allow },
  body: JSON.stringify({ error: "method not allowed" })
})

type JsonBody = { readonly ok: true; readonly value: Record<string, unknown>; readonly text: string } | {
  readonly ok: false
  readonly response: Response
}

/** Deeper than any event or heartbeat: a body nested past this is refused (400) before it is parsed. */
export const MAX_JSON_DEPTH = 64

/** Whether `text` opens more than `limit` arrays/objects at once (strings skipped): one linear pass. */
export const nestedDeeperThan = (text: string, limit: number): boolean => {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++ // backslash: skip the escaped character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return false
}

const jsonObject = (req: Request): JsonBody => {
  const text = req.body.toString("utf8")
  // Every check after parsing walks the value recursively: a hostile nesting would overflow the stack (500).
  if (nestedDeeperThan(text, MAX_JSON_DEPTH)) {
    return { ok: false, response: json(400, { error: `body is nested deeper than ${MAX_JSON_DEPTH} levels` }) }
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    return { ok: false, response: json(400, { error: `body is not JSON: ${(e as Error).message}` }) }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, response: json(400, { error: "body is not a JSON object" }) }
  }
  return { ok: true, value: value as Record<string, unknown>, text }
}

/** The license of a sensor now, and its sensorinfo fields. */
export const sensorLicense = (s: SensorRow, now: number, windows: LicenseWindows = DEFAULT_WINDOWS) =>
  license({ created: s.created, lastEvent: s.lastEvent ?? undefined, lastHeartbeat: s.lastHeartbeat ?? undefined }, now, windows)

export const sensorInfo = (s: SensorRow, now: number, windows: LicenseWindows = DEFAULT_WINDOWS) => {
  const l = sensorLicense(s, now, windows)
  return {
    sensor_status: wireStatus(l.status),
    last_heartbeat: iso(s.lastHeartbeat),
    last_rule_download: iso(s.lastRuleDownload),
    event_received: iso(s.lastEvent),
    created: iso(s.created),
    disable_date: iso(l.disableDate),
    ruleset: l.ruleset,
    next_status: l.next === undefined ? null : { status: wireStatus(l.next.to), at: iso(l.next.at), unless: l.next.unless },
    sensor_id: s.id,
    events_received: s.events,
    heartbeats_received: s.heartbeats
  }
}

const intParam = (q: URLSearchParams, name: string): number | undefined => {
  const v = q.get(name)
  return v !== null && /^\d{1,15}$/.test(v) ? Number(v) : undefined
}

export const makeApi = (deps: ApiDeps) => {
  const { store, rulesets } = deps
  const windows = deps.windows ?? DEFAULT_WINDOWS
  const sensorIds = new Map<string, string>()
  const faulted = new Map<string, number>()
  const fails = (text: string): boolean => {
    if (deps.eventFaults === undefined) return false
    const h = createHash("sha256").update(text).digest()
    if (h.readUInt32BE(0) % deps.eventFaults !== 0) return false
    const key = h.toString("hex")
    const n = faulted.get(key) ?? 0
    if (n >= FAULTY_TRIES) return false
    faulted.set(key, n + 1)
    return true
  }

  /** The sensor row, for the routes that answer from it. */
  const row = (id: string) =>
    Effect.flatMap(store.sensor(id), (s) => (s === undefined ? Effect.fail(new Error(`sensor ${id} vanished`)) : Effect.succeed(s)))

  const sensorApi = (req: Request, sensorId: string) =>
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      switch (req.path) {
        case "/api/v1/event": {
          if (req.method !== "POST") return notAllowed("POST")
          const body = jsonObject(req)
          if (!body.ok) return body.response
          if (fails(body.text)) return json(503, { error: `overloaded (told to fail one event in ${deps.eventFaults}, ${FAULTY_TRIES} times)` })
          const violations = checkEvent(body.value, body.text)
          const id = yield* store.addEvent(sensorId, now, body.text, violations)
          return json(201, { status: "created", id })
        }
        case "/api/v1/telemetry": {
          if (req.method !== "POST") return notAllowed("POST")
          const body = jsonObject(req)
          if (!body.ok) return body.response
          yield* store.addHeartbeat(sensorId, now, body.text)
          return json(201, { status: "created" })
        }
        case "/api/v1/sensorinfo":
          if (req.method !== "GET") return notAllowed("GET")
          return json(200, sensorInfo(yield* row(sensorId), now, windows))
        case "/api/v1/ruleset/version": {
          if (req.method !== "GET") return notAllowed("GET")
          const r = rulesetFor(rulesets, sensorLicense(yield* row(sensorId), now, windows).ruleset)
          return json(200, { version: r.version, ruleset: r.name })
        }
        case "/api/v1/ruleset/engine/suricata/5": {
          if (req.method !== "GET") return notAllowed("GET")
          const r = rulesetFor(rulesets, sensorLicense(yield* row(sensorId), now, windows).ruleset)
          yield* store.markRuleDownload(sensorId, now, r.name)
          return {
            status: 200,
            headers: {
              "content-type": "application/gzip",
              "content-disposition": `attachment; filename="${r.version}.tar.gz"`,
              "x-ruleset-version": r.version
            },
            body: r.archive
          } satisfies Response
        }
        default:
          return notFound
      }
    })

  const adminApi = (req: Request) =>
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const q = { sensorId: req.query.get("sensor") ?? undefined, before: intParam(req.query, "before"), limit: intParam(req.query, "limit") }
      const get = req.method === "GET"
      switch (req.path) {
        case "/admin/tokens": {
          if (req.method !== "POST") return notAllowed("POST")
          const body = jsonObject(req)
          if (!body.ok) return body.response
          const token = typeof body.value.token === "string" ? body.value.token.trim() : ""
          if (token === "") return json(400, { error: "token missing" })
          const name = typeof body.value.name === "string" ? body.value.name : "sensor"
          const r = yield* store.registerSensor({ id: sensorIdFor(token), tokenHash: tokenHash(token), name, now })
          return json(r.created ? 201 : 200, { sensor_id: r.id, created: r.created })
        }
        case "/admin/sensors": {
          if (!get) return notAllowed("GET")
          const sensors = yield* store.sensors
          return json(200, sensors.map((s) => ({
            name: s.name,
            ...sensorInfo(s, now, windows),
            last_ruleset: s.lastRuleset,
            privacy_violations: s.violations
          })))
        }
        case "/admin/events": {
          if (!get) return notAllowed("GET")
          const rows = yield* store.events(q)
          return json(200, rows.map((r) => ({ ...r, received: iso(r.received), body: JSON.parse(r.body) as unknown })))
        }
        case "/admin/heartbeats": {
          if (!get) return notAllowed("GET")
          const rows = yield* store.heartbeats(q)
          return json(200, rows.map((r) => ({ ...r, received: iso(r.received), body: JSON.parse(r.body) as unknown })))
        }
        case "/admin/violations": {
          if (!get) return notAllowed("GET")
          const counts = yield* store.counts
          const rows = yield* store.violations(q)
          return json(200, {
            count: counts.violations,
            events_with_violations: counts.eventsWithViolations,
            violations: rows.map((r) => ({ ...r, received: iso(r.received) }))
          })
        }
        case "/admin/stats": {
          if (!get) return notAllowed("GET")
          const counts = yield* store.counts
          const m = process.memoryUsage()
          return json(200, { ...counts, rss: m.rss, heap_used: m.heapUsed, now: iso(now) })
        }
        default:
          return notFound
      }
    })

  return (req: Request): Effect.Effect<Response> => {
    const routed: Effect.Effect<Response, unknown> = req.path.startsWith("/admin/")
      ? (() => {
          const key = req.headers["x-admin-key"]
          return typeof key === "string" && sameSecret(key, deps.adminKey)
            ? adminApi(req)
            : Effect.succeed(json(401, { error: "wrong or missing admin key" }))
        })()
      : req.path.startsWith("/api/v1/")
      ? (() => {
          const token = bearer(req)
          if (token === undefined) return Effect.succeed(unauthorized)
          // Tokens are never withdrawn here, so a known token's sensor id can be remembered.
          const known = sensorIds.get(token)
          if (known !== undefined) return sensorApi(req, known)
          return Effect.flatMap(store.sensorByTokenHash(tokenHash(token)), (s) => {
            if (s === undefined) return Effect.succeed(unauthorized)
            if (sensorIds.size >= 10_000) sensorIds.clear()
            sensorIds.set(token, s.id)
            return sensorApi(req, s.id)
          })
        })()
      : Effect.succeed(notFound)
    return routed.pipe(
      Effect.catchAll((e) =>
        Effect.succeed(json(500, { error: typeof e === "object" && e !== null && "message" in e ? String(e.message) : "internal error" }))
      )
    )
  }
}
