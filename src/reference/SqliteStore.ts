/**
 * The reference service's storage (SPEC section 9): sensors (by token hash, never the token), events,
 * heartbeats and privacy violations, in SQLite through better-sqlite3. `:memory:` by default, or a file that
 * survives restarts; the schema is created and migrated on open (`PRAGMA user_version`).
 *
 * better-sqlite3 is synchronous: every call is one short statement or transaction, wrapped in an Effect that
 * fails with a StoreError instead of throwing.
 */
import type Database from "better-sqlite3"
import { Context, Data, Effect, Layer } from "effect"
import { chmodSync, closeSync, openSync } from "node:fs"
import { loadDriver, migrate, NOT_INSTALLED, type SensorDbRow, type SensorRow, toSensor } from "./SqliteSchema.js"

export { NOT_INSTALLED, SCHEMA_VERSION, type SensorRow } from "./SqliteSchema.js"

export class StoreError extends Data.TaggedError("StoreError")<{
  readonly path: string
  readonly message: string
}> {}

export interface EventRow {
  readonly id: number
  readonly sensorId: string
  readonly received: number
  /** The body as received (JSON text). */
  readonly body: string
  readonly violations: number
}

export interface HeartbeatRow {
  readonly id: number
  readonly sensorId: string
  readonly received: number
  readonly body: string
}

export interface ViolationInput {
  /** `key`: outside the allow-lists; `shape`: wrong type; `address`: an unmasked private address; `name`: an unmasked internal name. */
  readonly kind: "key" | "shape" | "address" | "name"
  readonly path: string
  readonly detail: string
}

export interface ViolationRow extends ViolationInput {
  readonly id: number
  readonly sensorId: string
  readonly eventId: number
  readonly received: number
}

export interface Counts {
  readonly sensors: number
  readonly events: number
  readonly heartbeats: number
  readonly violations: number
  /** Events that carried at least one violation. */
  readonly eventsWithViolations: number
}

/** Listing: newest first, `before` an id for paging, `limit` [100, at most 1000]. */
export interface ListQuery {
  readonly sensorId?: string | undefined
  readonly before?: number | undefined
  readonly limit?: number | undefined
}

export interface SqliteStoreService {
  readonly path: string
  /** Registers a sensor for a token hash; an existing one is kept as it is. */
  readonly registerSensor: (
    s: { readonly id: string; readonly tokenHash: string; readonly name: string; readonly now: number }
  ) => Effect.Effect<{ readonly id: string; readonly created: boolean }, StoreError>
  readonly sensorByTokenHash: (hash: string) => Effect.Effect<SensorRow | undefined, StoreError>
  readonly sensor: (id: string) => Effect.Effect<SensorRow | undefined, StoreError>
  readonly addEvent: (
    sensorId: string,
    now: number,
    body: string,
    violations: ReadonlyArray<ViolationInput>
  ) => Effect.Effect<number, StoreError>
  readonly addHeartbeat: (sensorId: string, now: number, body: string) => Effect.Effect<number, StoreError>
  readonly markRuleDownload: (sensorId: string, now: number, ruleset: string) => Effect.Effect<void, StoreError>
  readonly sensors: Effect.Effect<ReadonlyArray<SensorRow>, StoreError>
  readonly events: (q: ListQuery) => Effect.Effect<ReadonlyArray<EventRow>, StoreError>
  readonly heartbeats: (q: ListQuery) => Effect.Effect<ReadonlyArray<HeartbeatRow>, StoreError>
  readonly violations: (q: ListQuery) => Effect.Effect<ReadonlyArray<ViolationRow>, StoreError>
  readonly counts: Effect.Effect<Counts, StoreError>
}

export class SqliteStore extends Context.Tag("etpro/SqliteStore")<SqliteStore, SqliteStoreService>() {}

const limitOf = (q: ListQuery) => Math.max(1, Math.min(1000, Math.floor(q.limit ?? 100)))

/** Opens (creating and migrating) a database; synchronous, throws on failure. */
export const open = (path: string): { service: SqliteStoreService; close: () => void } => {
  const Driver = loadDriver()
  if (path !== ":memory:") {
    // It holds token hashes and every event: readable by the service's user only, whatever the umask or an older
    // version left (SQLite gives its -wal and -shm files the database file's mode).
    closeSync(openSync(path, "a", 0o600))
    chmodSync(path, 0o600)
  }
  const db = new Driver(path)
  if (path !== ":memory:") {
    db.pragma("journal_mode = WAL")
    db.pragma("synchronous = NORMAL")
  }
  db.pragma("foreign_keys = ON")
  migrate(db)

  const wrap = <A>(what: string, f: () => A): Effect.Effect<A, StoreError> =>
    Effect.try({
      try: f,
      catch: (e) => new StoreError({ path, message: `${what}: ${e instanceof Error ? e.message : String(e)}` })
    })

  const insertSensor = db.prepare(
    "INSERT OR IGNORE INTO sensors (id, token_hash, name, created) VALUES (@id, @tokenHash, @name, @now)"
  )
  const sensorByHash = db.prepare("SELECT * FROM sensors WHERE token_hash = ?")
  const sensorById = db.prepare("SELECT * FROM sensors WHERE id = ?")
  const allSensors = db.prepare("SELECT * FROM sensors ORDER BY created, id")
  const insertEvent = db.prepare("INSERT INTO events (sensor_id, received, body, violations) VALUES (?, ?, ?, ?)")
  const insertViolation = db.prepare(
    "INSERT INTO violations (sensor_id, event_id, received, kind, path, detail) VALUES (?, ?, ?, ?, ?, ?)"
  )
  const touchEvent = db.prepare(
    "UPDATE sensors SET last_event = max(coalesce(last_event, 0), ?), events = events + 1, violations = violations + ? WHERE id = ?"
  )
  const insertHeartbeat = db.prepare("INSERT INTO heartbeats (sensor_id, received, body) VALUES (?, ?, ?)")
  const touchHeartbeat = db.prepare(
    "UPDATE sensors SET last_heartbeat = max(coalesce(last_heartbeat, 0), ?), heartbeats = heartbeats + 1 WHERE id = ?"
  )
  const touchRules = db.prepare("UPDATE sensors SET last_rule_download = ?, last_ruleset = ? WHERE id = ?")
  const countAll = db.prepare(
    `SELECT (SELECT count(*) FROM sensors) AS sensors, (SELECT count(*) FROM events) AS events,
            (SELECT count(*) FROM heartbeats) AS heartbeats, (SELECT count(*) FROM violations) AS violations,
            (SELECT count(*) FROM events WHERE violations > 0) AS eventsWithViolations`
  )

  const addEventRow = (sensorId: string, now: number, body: string, violations: ReadonlyArray<ViolationInput>): number => {
    const id = Number(insertEvent.run(sensorId, now, body, violations.length).lastInsertRowid)
    for (const v of violations) insertViolation.run(sensorId, id, now, v.kind, v.path, v.detail)
    touchEvent.run(now, violations.length, sensorId)
    return id
  }

  // Group commit: the events that arrive within one turn of the event loop are written in one transaction,
  // and each caller is answered only once that transaction has committed (a 201 still means stored).
  interface PendingEvent {
    readonly args: readonly [string, number, string, ReadonlyArray<ViolationInput>]
    readonly resume: (e: Effect.Effect<number, StoreError>) => void
  }
  let queue: Array<PendingEvent> = []
  const commitEvents = db.transaction((batch: ReadonlyArray<PendingEvent>) => batch.map((p) => addEventRow(...p.args)))
  const flushEvents = () => {
    const batch = queue
    queue = []
    if (batch.length === 0) return
    let ids: Array<number>
    try {
      ids = commitEvents(batch)
    } catch (e) {
      const err = new StoreError({ path, message: `store event: ${e instanceof Error ? e.message : String(e)}` })
      for (const p of batch) p.resume(Effect.fail(err))
      return
    }
    batch.forEach((p, i) => p.resume(Effect.succeed(ids[i]!)))
  }
  const addHeartbeat = db.transaction((sensorId: string, now: number, body: string): number => {
    const id = Number(insertHeartbeat.run(sensorId, now, body).lastInsertRowid)
    touchHeartbeat.run(now, sensorId)
    return id
  })

  /** A page of one table, newest first. */
  const list = <R>(table: string, columns: string, map: (r: Record<string, unknown>) => R) => {
    const cache = new Map<string, Database.Statement>()
    return (q: ListQuery): Array<R> => {
      const where: Array<string> = []
      const args: Array<unknown> = []
      if (q.sensorId !== undefined) {
        where.push("sensor_id = ?")
        args.push(q.sensorId)
      }
      if (q.before !== undefined) {
        where.push("id < ?")
        args.push(q.before)
      }
      const sql = `SELECT ${columns} FROM ${table}${where.length > 0 ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ?`
      let st = cache.get(sql)
      if (st === undefined) cache.set(sql, (st = db.prepare(sql)))
      return (st.all(...args, limitOf(q)) as Array<Record<string, unknown>>).map(map)
    }
  }
  const listEvents = list("events", "id, sensor_id, received, body, violations", (r): EventRow => ({
    id: r.id as number,
    sensorId: r.sensor_id as string,
    received: r.received as number,
    body: r.body as string,
    violations: r.violations as number
  }))
  const listHeartbeats = list("heartbeats", "id, sensor_id, received, body", (r): HeartbeatRow => ({
    id: r.id as number,
    sensorId: r.sensor_id as string,
    received: r.received as number,
    body: r.body as string
  }))
  const listViolations = list("violations", "*", (r): ViolationRow => ({
    id: r.id as number,
    sensorId: r.sensor_id as string,
    eventId: r.event_id as number,
    received: r.received as number,
    kind: r.kind as ViolationRow["kind"],
    path: r.path as string,
    detail: r.detail as string
  }))

  const service: SqliteStoreService = {
    path,
    registerSensor: (s) =>
      wrap("register sensor", () => {
        const created = insertSensor.run(s).changes > 0
        const row = sensorByHash.get(s.tokenHash) as SensorDbRow
        return { id: row.id, created }
      }),
    sensorByTokenHash: (hash) =>
      wrap("find sensor", () => {
        const r = sensorByHash.get(hash) as SensorDbRow | undefined
        return r === undefined ? undefined : toSensor(r)
      }),
    sensor: (id) =>
      wrap("find sensor", () => {
        const r = sensorById.get(id) as SensorDbRow | undefined
        return r === undefined ? undefined : toSensor(r)
      }),
    addEvent: (sensorId, now, body, violations) =>
      Effect.async<number, StoreError>((resume) => {
        queue.push({ args: [sensorId, now, body, violations], resume })
        if (queue.length === 1) setImmediate(flushEvents)
      }),
    addHeartbeat: (sensorId, now, body) => wrap("store heartbeat", () => addHeartbeat(sensorId, now, body)),
    markRuleDownload: (sensorId, now, ruleset) =>
      wrap("record rule download", () => void touchRules.run(now, ruleset, sensorId)),
    sensors: wrap("list sensors", () => (allSensors.all() as Array<SensorDbRow>).map(toSensor)),
    events: (q) => wrap("list events", () => listEvents(q)),
    heartbeats: (q) => wrap("list heartbeats", () => listHeartbeats(q)),
    violations: (q) => wrap("list violations", () => listViolations(q)),
    counts: wrap("count", () => countAll.get() as Counts)
  }
  return {
    service,
    close: () => {
      flushEvents()
      db.close()
    }
  }
}

/** A store on `path` (`:memory:` or a file), closed with the scope. */
export const make = (path: string) =>
  Effect.acquireRelease(
    Effect.try({
      try: () => open(path),
      catch: (e) => {
        const reason = e instanceof Error ? e.message : String(e)
        return new StoreError({ path, message: reason === NOT_INSTALLED ? reason : `cannot open database ${path}: ${reason}` })
      }
    }),
    (s) => Effect.sync(() => s.close())
  ).pipe(Effect.map((s) => s.service))

export const layer = (path: string): Layer.Layer<SqliteStore, StoreError> => Layer.scoped(SqliteStore, make(path))

/** A fresh in-memory store (tests). */
export const layerMemory: Layer.Layer<SqliteStore, StoreError> = layer(":memory:")
