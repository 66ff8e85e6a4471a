/** send-events across rotation, truncation and partial writes (SPEC section 4), against a loopback sink. */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { appendFile, copyFile, readFile, rename, rm, truncate, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { afterEach } from "vitest"
import { type Sink, startSink } from "../../support/TelemetrySink.js"
import * as EveLog from "../../../src/adapters/EveLog.js"
import { alertLine, appendAlerts, type Dirs, idsOf, makeDirs, range, readState, runOk } from "../../support/SendHarness.js"

let sinks: Array<Sink> = []
afterEach(async () => {
  await Promise.all(sinks.map((s) => s.close()))
  sinks = []
})

interface Scene {
  readonly dirs: Dirs
  readonly sink: Sink
  readonly at: (name: string) => string
  readonly run: () => Effect.Effect<void>
  readonly fs: <A>(f: () => Promise<A>) => Effect.Effect<A>
  /** Every id delivered exactly once, and nothing else. */
  readonly deliveredOnce: (ids: Array<number>) => Effect.Effect<void>
}

const scene = Effect.promise(async (): Promise<Scene> => {
  const sink = await startSink()
  sinks.push(sink)
  const dirs = await makeDirs()
  return {
    dirs,
    sink,
    at: (n) => join(dirs.log, n),
    run: () => Effect.asVoid(runOk(dirs, { baseUrl: sink.url })),
    fs: (f) => Effect.promise(f),
    deliveredOnce: (ids) =>
      Effect.sync(() => {
        expect([...idsOf(sink.accepted)].sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b))
      })
  }
})

describe("send-events and rotation", () => {
  it.live("rename rotation: resumes in the renamed file, then reads the new eve.json from 0", () =>
    Effect.gen(function* () {
      const s = yield* scene
      yield* s.fs(() => appendAlerts(s.at("eve.json"), range(1, 5)))
      yield* s.run()
      yield* s.fs(() => appendAlerts(s.at("eve.json"), range(6, 3)))
      yield* s.fs(() => rename(s.at("eve.json"), s.at("eve.json.1")))
      yield* s.fs(() => appendAlerts(s.at("eve.json"), range(9, 4)))
      yield* s.run()
      yield* s.deliveredOnce(range(1, 12))
      const st = yield* s.fs(() => readState(s.dirs))
      expect(st.files.map((f) => f.path).sort()).toEqual([s.at("eve.json"), s.at("eve.json.1")])
    })
  )

  it.live("several rotations and eve.json.N renumbering while the agent was not running", () =>
    Effect.gen(function* () {
      const s = yield* scene
      yield* s.fs(() => appendAlerts(s.at("eve.json.1"), range(1, 3)))
      yield* s.fs(() => appendAlerts(s.at("eve.json"), range(4, 3)))
      yield* s.run()
      yield* s.fs(async () => {
        await appendAlerts(s.at("eve.json"), range(7, 2))
        // logrotate, twice over: .1 → .2 → .3, eve.json → .1 → .2
        for (const [from, to] of [["eve.json.1", "eve.json.2"], ["eve.json", "eve.json.1"]]) await rename(s.at(from!), s.at(to!))
        await appendAlerts(s.at("eve.json"), range(9, 2))
        for (const [from, to] of [["eve.json.2", "eve.json.3"], ["eve.json.1", "eve.json.2"], ["eve.json", "eve.json.1"]]) await rename(s.at(from!), s.at(to!))
        await appendAlerts(s.at("eve.json"), range(11, 2))
      })
      yield* s.run()
      yield* s.deliveredOnce(range(1, 12))
    })
  )

  it.live("copytruncate: the copy resumes where the original stopped; the truncated file starts again", () =>
    Effect.gen(function* () {
      const s = yield* scene
      yield* s.fs(() => appendAlerts(s.at("eve.json"), range(1, 5)))
      yield* s.run()
      yield* s.fs(async () => {
        await appendAlerts(s.at("eve.json"), range(6, 3))
        await copyFile(s.at("eve.json"), s.at("eve.json.1"))
        await truncate(s.at("eve.json"), 0)
        await appendAlerts(s.at("eve.json"), range(9, 2))
      })
      yield* s.run()
      yield* s.deliveredOnce(range(1, 10))
    })
  )

  it.live("copytruncate caught half-way (copy made, original not yet truncated) loses nothing", () =>
    Effect.gen(function* () {
      const s = yield* scene
      yield* s.fs(() => appendAlerts(s.at("eve.json"), range(1, 5)))
      yield* s.run()
      yield* s.fs(async () => {
        await appendAlerts(s.at("eve.json"), range(6, 2))
        await copyFile(s.at("eve.json"), s.at("eve.json.1"))
      })
      yield* s.run()
      yield* s.fs(async () => {
        await truncate(s.at("eve.json"), 0)
        await appendAlerts(s.at("eve.json"), range(8, 2))
      })
      yield* s.run()
      // 6 and 7 sit in both files at the second run, with one first line: one stream, read once (read from the
      // checkpoint in each file, they were sent twice).
      yield* s.deliveredOnce(range(1, 9))
    })
  )

  it.live("a run while logrotate is still copying a large eve.json: each alert once, in this run and the next", () =>
    Effect.gen(function* () {
      const s = yield* scene
      yield* s.fs(() => appendAlerts(s.at("eve.json"), range(1, 5)))
      yield* s.run()
      yield* s.fs(() => appendAlerts(s.at("eve.json"), range(6, 4)))
      const whole = yield* s.fs(() => readFile(s.at("eve.json"), "utf8"))
      // The copy has reached the end of alert 7 when the run looks (same first line, shorter, another inode).
      const upTo7 = whole.split("\n").slice(0, 7).join("\n") + "\n"
      yield* s.fs(() => writeFile(s.at("eve.json.1"), upTo7))
      yield* s.run()
      // The copy finished, the original truncated, and Suricata writes on.
      yield* s.fs(async () => {
        await writeFile(s.at("eve.json.1"), whole)
        await truncate(s.at("eve.json"), 0)
        await appendAlerts(s.at("eve.json"), [10])
      })
      yield* s.run()
      yield* s.deliveredOnce(range(1, 10))
    })
  )

  it.live("a first run during copytruncate (the send-events model test, seed 19): each alert once", () =>
    Effect.gen(function* () {
      const s = yield* scene
      // Listed after the copy was made and read before the original was truncated: no checkpoint yet, so each
      // file was new and read from 0.
      yield* s.fs(async () => {
        await appendAlerts(s.at("eve.json"), range(1, 2))
        await copyFile(s.at("eve.json"), s.at("eve.json.1"))
      })
      yield* s.run()
      yield* s.fs(() => truncate(s.at("eve.json"), 0))
      yield* s.run()
      yield* s.fs(() => appendAlerts(s.at("eve.json"), [3]))
      yield* s.run()
      yield* s.deliveredOnce(range(1, 3))
    })
  )

  it.live("copytruncate finished between the run's look and its read: the copy delivers the rest once, next run", () =>
    Effect.gen(function* () {
      const s = yield* scene
      yield* s.fs(() => appendAlerts(s.at("eve.json"), range(1, 3)))
      yield* s.run()
      yield* s.fs(async () => {
        await appendAlerts(s.at("eve.json"), range(4, 3))
        await copyFile(s.at("eve.json"), s.at("eve.json.1"))
      })
      // The run has listed both files (one stream); the truncation, and Suricata's next line, land before its read.
      const live = EveLog.make()
      let truncated = false
      const racing: EveLog.EveLogService = {
        ...live,
        read: (path, opts) =>
          Stream.unwrap(
            Effect.promise(async () => {
              if (!truncated) {
                truncated = true
                await truncate(s.at("eve.json"), 0)
                await appendAlerts(s.at("eve.json"), [7])
              }
              return live.read(path, opts)
            })
          )
      }
      yield* Effect.asVoid(runOk(s.dirs, { baseUrl: s.sink.url, eveLog: racing }))
      expect(truncated).toBe(true)
      yield* s.run()
      yield* s.deliveredOnce(range(1, 7))
    })
  )

  it.live("truncation in place restarts the file at 0", () =>
    Effect.gen(function* () {
      const s = yield* scene
      yield* s.fs(() => appendAlerts(s.at("eve.json"), range(1, 5)))
      yield* s.run()
      yield* s.fs(async () => {
        await truncate(s.at("eve.json"), 0)
        await appendAlerts(s.at("eve.json"), range(6, 2))
      })
      yield* s.run()
      yield* s.deliveredOnce(range(1, 7))
      // Cut to below the checkpoint while keeping its first line: the file is read again from 0.
      const first = alertLine(6)
      yield* s.fs(async () => {
        await writeFile(s.at("eve.json"), first)
        await appendAlerts(s.at("eve.json"), [8])
        await truncate(s.at("eve.json"), first.length)
      })
      yield* s.run()
      yield* s.fs(() => appendAlerts(s.at("eve.json"), [9]))
      yield* s.run()
      const got = idsOf(s.sink.accepted)
      expect(new Set(got)).toEqual(new Set([...range(1, 7), 9]))
    })
  )

  it.live("a deleted file is forgotten", () =>
    Effect.gen(function* () {
      const s = yield* scene
      yield* s.fs(() => appendAlerts(s.at("eve.json.1"), range(1, 2)))
      yield* s.fs(() => appendAlerts(s.at("eve.json"), range(3, 2)))
      yield* s.run()
      yield* s.fs(() => rm(s.at("eve.json.1")))
      yield* s.fs(() => appendAlerts(s.at("eve.json"), [5]))
      yield* s.run()
      yield* s.deliveredOnce(range(1, 5))
      const st = yield* s.fs(() => readState(s.dirs))
      expect(st.files.map((f) => f.path)).toEqual([s.at("eve.json")])
    })
  )

  it.live("a partial last line waits for the next run", () =>
    Effect.gen(function* () {
      const s = yield* scene
      const half = alertLine(4)
      yield* s.fs(() => appendFile(s.at("eve.json"), alertLine(1) + alertLine(2) + alertLine(3) + half.slice(0, 40)))
      yield* s.run()
      yield* s.deliveredOnce([1, 2, 3])
      yield* s.fs(() => appendFile(s.at("eve.json"), half.slice(40) + alertLine(5)))
      yield* s.run()
      yield* s.deliveredOnce(range(1, 5))
      const st = yield* s.fs(() => readState(s.dirs))
      expect(st.counters.skippedBadLine).toBe(0)
    })
  )

  it.live("out-of-order timestamps lose nothing (progress is by offset, not by time)", () =>
    Effect.gen(function* () {
      const s = yield* scene
      const now = Date.now()
      const lines = [alertLine(1, now - 60_000), alertLine(2, now - 3_600_000), alertLine(3, now - 10_000), alertLine(4, now - 7_200_000)]
      yield* s.fs(() => writeFile(s.at("eve.json"), lines.join("")))
      yield* s.run()
      // More lines, some older than everything already sent.
      yield* s.fs(() => appendFile(s.at("eve.json"), alertLine(5, now - 5 * 3_600_000) + alertLine(6, now - 1000) + alertLine(7, now - 20 * 3_600_000)))
      yield* s.run()
      yield* s.deliveredOnce(range(1, 7))
    })
  )

  it.live("timestamps with +1000, +1030, +0530, -0700 and Z offsets are judged by their instant", () =>
    Effect.gen(function* () {
      const s = yield* scene
      const now = Date.now()
      const recent = now - 3_600_000
      const old = now - 2 * 86_400_000
      const text = [
        alertLine(1, recent, 600),
        alertLine(2, recent, 630),
        alertLine(3, recent, 330),
        alertLine(4, recent, -420),
        alertLine(5, old, 630),
        alertLine(6, old, -420),
        alertLine(8, recent)
      ].join("")
      yield* s.fs(() => writeFile(s.at("eve.json"), text.replace(/"timestamp":"([^"]+)\+0000"/, '"timestamp":"$1Z"')))
      yield* s.run()
      yield* s.deliveredOnce([1, 2, 3, 4, 8])
      expect(s.sink.accepted.find((b) => b.includes('"flow_id":8,'))).toMatch(/"timestamp":"[^"]+Z"/)
      const st = yield* s.fs(() => readState(s.dirs))
      expect(st.counters.expired).toBe(2)
      const body = s.sink.accepted.find((b) => b.includes('"flow_id":2,'))!
      expect(body).toContain("+1030")
    })
  )

  it.live("a log given as one file", () =>
    Effect.gen(function* () {
      const s = yield* scene
      yield* s.fs(() => appendAlerts(s.at("eve.json"), range(1, 3)))
      yield* Effect.asVoid(runOk({ ...s.dirs, log: s.at("eve.json") }, { baseUrl: s.sink.url }))
      yield* s.deliveredOnce(range(1, 3))
      const size = (yield* s.fs(() => readFile(s.at("eve.json")))).length
      expect((yield* s.fs(() => readState(s.dirs))).files[0]!.offset).toBe(size)
    })
  )

  it.live("eve.json rotated while an older file is still being delivered: nothing skipped in either file", () =>
    Effect.gen(function* () {
      const s = yield* scene
      yield* s.fs(() => appendAlerts(s.at("eve.json.1"), range(1, 2)))
      yield* s.fs(() => appendAlerts(s.at("eve.json"), range(3, 2)))
      yield* s.run()
      // New lines in both; the run will be busy with eve.json.1 when logrotate strikes.
      yield* s.fs(() => appendAlerts(s.at("eve.json.1"), range(100, 40)))
      yield* s.fs(() => appendAlerts(s.at("eve.json"), range(5, 3)))
      let rotated: Promise<void> | undefined
      s.sink.reply = () => {
        rotated ??= (async () => {
          await rename(s.at("eve.json.1"), s.at("eve.json.2"))
          await rename(s.at("eve.json"), s.at("eve.json.1"))
          // The new eve.json is longer than the old one's checkpoint: read from there, its start would be lost.
          await appendAlerts(s.at("eve.json"), range(200, 20))
        })()
        return { status: 201 }
      }
      yield* s.run()
      yield* s.fs(() => rotated!)
      s.sink.reply = () => ({ status: 201 })
      yield* s.run()
      yield* s.deliveredOnce([...range(1, 7), ...range(100, 40), ...range(200, 20)])
    })
  )

  it.live("rotated between the check of a file and the open for its read: the other file is not read at this one's offset", () =>
    Effect.gen(function* () {
      const s = yield* scene
      yield* s.fs(() => appendAlerts(s.at("eve.json.1"), range(1, 2)))
      yield* s.fs(() => appendAlerts(s.at("eve.json"), range(3, 2)))
      yield* s.run()
      yield* s.fs(() => appendAlerts(s.at("eve.json.1"), range(10, 5)))
      yield* s.fs(() => appendAlerts(s.at("eve.json"), range(20, 3)))
      // logrotate strikes after the run has looked at eve.json.1 and before it opens it for reading.
      const live = EveLog.make()
      let rotated = false
      const racing: EveLog.EveLogService = {
        ...live,
        read: (path, opts) =>
          Stream.unwrap(
            Effect.promise(async () => {
              if (!rotated && path === s.at("eve.json.1")) {
                rotated = true
                await rename(s.at("eve.json.1"), s.at("eve.json.2"))
                await rename(s.at("eve.json"), s.at("eve.json.1"))
                await appendAlerts(s.at("eve.json"), range(30, 2))
              }
              return live.read(path, opts)
            })
          )
      }
      yield* Effect.asVoid(runOk(s.dirs, { baseUrl: s.sink.url, eveLog: racing }))
      expect(rotated).toBe(true)
      yield* s.run()
      yield* s.deliveredOnce([...range(1, 4), ...range(10, 5), ...range(20, 3), ...range(30, 2)])
    })
  )
})
