/**
 * The reference store's database (./SqliteStore.ts): the better-sqlite3 driver (an optional native module,
 * loaded at run time), the schema and its migrations (`PRAGMA user_version`), and a sensor's row.
 */
import type Database from "better-sqlite3"
import { createRequire } from "node:module"

/** Epoch milliseconds, or null when it never happened. */
export interface SensorRow {
  readonly id: string
  readonly name: string
  readonly created: number
  readonly lastEvent: number | null
  readonly lastHeartbeat: number | null
  readonly lastRuleDownload: number | null
  readonly lastRuleset: string | null
  readonly events: number
  readonly heartbeats: number
  readonly violations: number
}

/** Schema versions, applied in order on open; `user_version` records how far a database got. */
const MIGRATIONS: ReadonlyArray<string> = [
  `CREATE TABLE sensors (
     id TEXT PRIMARY KEY,
     token_hash TEXT NOT NULL UNIQUE,
     name TEXT NOT NULL,
     created INTEGER NOT NULL,
     last_event INTEGER,
     last_heartbeat INTEGER,
     last_rule_download INTEGER,
     events INTEGER NOT NULL DEFAULT 0,
     heartbeats INTEGER NOT NULL DEFAULT 0,
     violations INTEGER NOT NULL DEFAULT 0
   );
   CREATE TABLE events (
     id INTEGER PRIMARY KEY,
     sensor_id TEXT NOT NULL REFERENCES sensors(id),
     received INTEGER NOT NULL,
     body TEXT NOT NULL,
     violations INTEGER NOT NULL DEFAULT 0
   );
   CREATE TABLE heartbeats (
     id INTEGER PRIMARY KEY,
     sensor_id TEXT NOT NULL REFERENCES sensors(id),
     received INTEGER NOT NULL,
     body TEXT NOT NULL
   );
   CREATE TABLE violations (
     id INTEGER PRIMARY KEY,
     sensor_id TEXT NOT NULL REFERENCES sensors(id),
     event_id INTEGER NOT NULL REFERENCES events(id),
     received INTEGER NOT NULL,
     kind TEXT NOT NULL,
     path TEXT NOT NULL,
     detail TEXT NOT NULL
   );
   CREATE INDEX events_by_sensor ON events(sensor_id, id);
   CREATE INDEX heartbeats_by_sensor ON heartbeats(sensor_id, id);
   CREATE INDEX violations_by_sensor ON violations(sensor_id, id);`,
  // v2: which ruleset the last download served (ET Pro / ET Open).
  `ALTER TABLE sensors ADD COLUMN last_ruleset TEXT;`
]

export const SCHEMA_VERSION = MIGRATIONS.length

export const migrate = (db: Database.Database): void => {
  const current = db.pragma("user_version", { simple: true }) as number
  if (current > MIGRATIONS.length) {
    throw new Error(`database schema version ${current} is newer than this service (${MIGRATIONS.length})`)
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!)
      db.pragma(`user_version = ${v + 1}`)
    })()
  }
}

export interface SensorDbRow {
  id: string
  name: string
  created: number
  last_event: number | null
  last_heartbeat: number | null
  last_rule_download: number | null
  last_ruleset: string | null
  events: number
  heartbeats: number
  violations: number
}

export const toSensor = (r: SensorDbRow): SensorRow => ({
  id: r.id,
  name: r.name,
  created: r.created,
  lastEvent: r.last_event,
  lastHeartbeat: r.last_heartbeat,
  lastRuleDownload: r.last_rule_download,
  lastRuleset: r.last_ruleset,
  events: r.events,
  heartbeats: r.heartbeats,
  violations: r.violations
})

/** better-sqlite3 is an optional native dependency: only the reference service, demo and replay load it. */
export const NOT_INSTALLED =
  "better-sqlite3 is not installed (the reference service, demo and replay need it: npm install better-sqlite3); the agent's own commands do not"

export const loadDriver = (): typeof Database => {
  try {
    // A runtime require, not an import: the agent's bundle must load without the native addon.
    return createRequire(import.meta.url)("better-sqlite3") as typeof Database
  } catch (e) {
    if ((e as { code?: unknown }).code === "MODULE_NOT_FOUND") throw new Error(NOT_INSTALLED)
    throw e
  }
}
