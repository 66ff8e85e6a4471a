/** The service's SQLite store on real files: schema created and migrated on open, data kept across opens. */
import { describe, expect, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { Effect } from "effect"
import { mkdtemp, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { make, open, SCHEMA_VERSION } from "../../src/reference/SqliteStore.js"

const tempDb = () => Effect.promise(() => mkdtemp(join(tmpdir(), "store-"))).pipe(Effect.map((d) => join(d, "service.db")))

describe("SqliteStore", () => {
  it.effect("keeps sensors, events and counters in a file across restarts", () =>
    Effect.gen(function* () {
      const path = yield* tempDb()
      yield* Effect.scoped(
        Effect.gen(function* () {
          const s = yield* make(path)
          yield* s.registerSensor({ id: "s1", tokenHash: "h1", name: "fw", now: 1000 })
          yield* s.addEvent("s1", 2000, "{}", [{ kind: "key", path: "payload", detail: "d" }])
          yield* s.addHeartbeat("s1", 3000, "{}")
        })
      )
      yield* Effect.scoped(
        Effect.gen(function* () {
          const s = yield* make(path)
          // Registering the same token again keeps the original registration time.
          const r = yield* s.registerSensor({ id: "s1", tokenHash: "h1", name: "fw", now: 9999 })
          expect(r.created).toBe(false)
          const row = yield* s.sensorByTokenHash("h1")
          expect(row).toMatchObject({ created: 1000, lastEvent: 2000, lastHeartbeat: 3000, events: 1, heartbeats: 1, violations: 1 })
          expect(yield* s.counts).toMatchObject({ sensors: 1, events: 1, heartbeats: 1, violations: 1, eventsWithViolations: 1 })
        })
      )
    })
  )

  it.effect("the database file and its WAL are 0600 (they hold token hashes), a 0644 one is tightened", () =>
    Effect.gen(function* () {
      const path = yield* tempDb()
      yield* Effect.promise(() => writeFile(path, "", { mode: 0o644 }))
      yield* Effect.scoped(
        Effect.gen(function* () {
          const s = yield* make(path)
          yield* s.registerSensor({ id: "s1", tokenHash: "h1", name: "fw", now: 1000 })
          for (const p of [path, `${path}-wal`]) expect(((yield* Effect.promise(() => stat(p))).mode & 0o777).toString(8)).toBe("600")
        })
      )
      const fresh = yield* tempDb()
      yield* Effect.scoped(make(fresh))
      expect(((yield* Effect.promise(() => stat(fresh))).mode & 0o777).toString(8)).toBe("600")
    })
  )

  it.effect("migrates a database written by an older schema version", () =>
    Effect.gen(function* () {
      const path = yield* tempDb()
      open(path).close()
      // Turn it back into a version-1 database (before last_ruleset existed).
      const raw = new Database(path)
      raw.exec("ALTER TABLE sensors DROP COLUMN last_ruleset")
      raw.pragma("user_version = 1")
      raw.prepare("INSERT INTO sensors (id, token_hash, name, created) VALUES ('old', 'hx', 'old', 5)").run()
      raw.close()
      yield* Effect.scoped(
        Effect.gen(function* () {
          const s = yield* make(path)
          yield* s.markRuleDownload("old", 7, "ET Open")
          expect(yield* s.sensor("old")).toMatchObject({ created: 5, lastRuleDownload: 7, lastRuleset: "ET Open" })
        })
      )
      const check = new Database(path, { readonly: true })
      expect(check.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION)
      check.close()
    })
  )

  it.effect("refuses a database from a newer version instead of guessing", () =>
    Effect.gen(function* () {
      const path = yield* tempDb()
      const raw = new Database(path)
      raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`)
      raw.close()
      const e = yield* Effect.flip(Effect.scoped(make(path)))
      expect(e._tag).toBe("StoreError")
      expect(e.message).toContain(path)
      expect(e.message).toContain("newer")
    })
  )

  it.effect("pages listings newest first", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const s = yield* make(":memory:")
        yield* s.registerSensor({ id: "a", tokenHash: "ha", name: "a", now: 0 })
        for (let i = 0; i < 5; i++) yield* s.addEvent("a", i, `{"i":${i}}`, [])
        const page1 = yield* s.events({ limit: 2 })
        expect(page1.map((e) => e.body)).toEqual(['{"i":4}', '{"i":3}'])
        const page2 = yield* s.events({ limit: 2, before: page1[1]!.id })
        expect(page2.map((e) => e.body)).toEqual(['{"i":2}', '{"i":1}'])
      })
    )
  )
})
