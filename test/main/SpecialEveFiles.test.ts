/**
 * Eve-named entries that are not logs (issue 15, rows 4 and 16): a FIFO, a socket, a device, a directory or
 * a symlink loop named `eve.json` or `eve.json.N` is reported once (one line naming it and why) and skipped,
 * never opened for a blocking read, and never keeps the other files (eve.json above all) from being read —
 * by the eve log source, `send-events` and `dump`. On real files in a temp directory.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Layer, Stream } from "effect"
import { execFileSync } from "node:child_process"
import { appendFile, mkdir, symlink, writeFile } from "node:fs/promises"
import { createServer, type Server } from "node:net"
import { join } from "node:path"
import { afterEach } from "vitest"
import * as EveLog from "../../src/adapters/EveLog.js"
import * as Output from "../../src/adapters/Output.js"
import { localNetworks } from "../../src/domain/Network.js"
import { dump } from "../../src/main/programs/Dump.js"
import { alertLine, idsOf, makeDirs, runSend } from "../support/SendHarness.js"
import { type Sink, startSink } from "../support/TelemetrySink.js"

let cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanup) await c()
  cleanup = []
})

const listen = (path: string) =>
  Effect.promise(
    () =>
      new Promise<Server>((resolve) => {
        const server = createServer()
        server.listen(path, () => resolve(server))
        cleanup.push(() => new Promise((r) => server.close(() => r())))
      })
  )

/** A log directory with good alerts in eve.json and eve.json.5, and every kind of entry that is not a log. */
const hostileLog = (log: string) =>
  Effect.gen(function* () {
    yield* Effect.promise(async () => {
      await writeFile(join(log, "eve.json"), alertLine(1) + alertLine(2))
      await writeFile(join(log, "eve.json.5"), alertLine(5))
      execFileSync("mkfifo", [join(log, "eve.json.1")])
      await mkdir(join(log, "eve.json.2"))
      await symlink("eve.json.3", join(log, "eve.json.3"))
      await symlink("/dev/null", join(log, "eve.json.4"))
    })
    yield* listen(join(log, "eve.json.6"))
    return {
      [join(log, "eve.json.1")]: "a FIFO, not a log file",
      [join(log, "eve.json.2")]: "a directory, not a log file",
      [join(log, "eve.json.3")]: "a symlink loop, not a log file",
      [join(log, "eve.json.4")]: "a device, not a log file",
      [join(log, "eve.json.6")]: "a socket, not a log file"
    }
  })

describe("special files among eve files", () => {
  it.live("the eve log source lists them as skipped, with why, and the log files in order", () =>
    Effect.gen(function* () {
      const dirs = yield* Effect.promise(makeDirs)
      const expected = yield* hostileLog(dirs.log)
      const eve = EveLog.make()
      const listing = yield* eve.list(dirs.log)
      expect(listing.files.map((f) => f.path)).toEqual([join(dirs.log, "eve.json.5"), join(dirs.log, "eve.json")])
      expect(Object.fromEntries(listing.skipped.map((s) => [s.path, s.why]))).toEqual(expected)
      // Asked directly, none of them is opened for a blocking read.
      for (const path of Object.keys(expected)) {
        expect(yield* eve.observe(path)).toBeUndefined()
        const read = yield* Effect.exit(Stream.runCollect(eve.read(path, { start: 0 })))
        expect(Exit.isFailure(read)).toBe(true)
        if (Exit.isFailure(read)) expect(String(read.cause)).toContain(path)
      }
      // Named as the log itself, it is a usage error naming the file.
      const fifo = yield* Effect.flip(eve.files(join(dirs.log, "eve.json.1")))
      expect(fifo).toMatchObject({ reason: "NotALog", message: `${join(dirs.log, "eve.json.1")} is a FIFO, not a log file` })
      const lines = yield* Stream.runCollect(eve.read(join(dirs.log, "eve.json"), { start: 0 }))
      expect(Chunk.toReadonlyArray(lines).flatMap((b) => b.lines)).toHaveLength(2)
    }), 30_000)

  it.live("send-events sends eve.json and the other log files, saying each skipped file once a run", () =>
    Effect.gen(function* () {
      const sink: Sink = yield* Effect.promise(() => startSink())
      cleanup.push(() => sink.close())
      const dirs = yield* Effect.promise(makeDirs)
      const expected = yield* hostileLog(dirs.log)
      const r = yield* runSend(dirs, { baseUrl: sink.url })
      expect(Exit.isSuccess(r.exit)).toBe(true)
      expect(idsOf(sink.accepted).sort()).toEqual([1, 2, 5])
      const said = r.stderr.split("\n").filter((l) => l.includes(": skipped /"))
      expect(said.sort()).toEqual(Object.entries(expected).map(([p, why]) => `emergingthreats: send-events: skipped ${p}: ${why}`).sort())
      // The next run reads eve.json on, and says it again (once).
      yield* Effect.promise(() => appendFile(join(dirs.log, "eve.json"), alertLine(3)))
      const next = yield* runSend(dirs, { baseUrl: sink.url })
      expect(Exit.isSuccess(next.exit)).toBe(true)
      expect(idsOf(sink.accepted).sort()).toEqual([1, 2, 3, 5])
      expect(next.stderr.split("\n").filter((l) => l.includes(": skipped /"))).toHaveLength(5)
    }), 60_000)

  it.live("a FIFO named eve.json itself is skipped, and its rotated siblings are sent", () =>
    Effect.gen(function* () {
      const sink: Sink = yield* Effect.promise(() => startSink())
      cleanup.push(() => sink.close())
      const dirs = yield* Effect.promise(makeDirs)
      yield* Effect.promise(async () => {
        execFileSync("mkfifo", [join(dirs.log, "eve.json")])
        await writeFile(join(dirs.log, "eve.json.1"), alertLine(7))
      })
      const r = yield* runSend(dirs, { baseUrl: sink.url })
      expect(Exit.isSuccess(r.exit)).toBe(true)
      expect(idsOf(sink.accepted)).toEqual([7])
      expect(r.stderr).toContain(`emergingthreats: send-events: skipped ${join(dirs.log, "eve.json")}: a FIFO, not a log file`)
    }), 60_000)

  it.live("dump prints the log files and says which it skipped", () =>
    Effect.gen(function* () {
      const dirs = yield* Effect.promise(makeDirs)
      const expected = yield* hostileLog(dirs.log)
      const privacy = { local: localNetworks([], []), sids: new Set<number>(), warnings: [] }
      const { counts, out } = yield* Effect.gen(function* () {
        const counts = yield* dump({ log: dirs.log, since: "all", parsed: true, explain: false, privacy })
        return { counts, out: yield* Output.CapturedOutput }
      }).pipe(Effect.provide(Layer.merge(Output.layerTest(), EveLog.layer)))
      expect(counts.files).toBe(2)
      expect(out.stdout.join("").split("\n").filter(Boolean)).toHaveLength(3)
      expect(out.stderr.filter((l) => l.includes(": skipped /")).sort()).toEqual(
        Object.entries(expected).map(([p, why]) => `emergingthreats: dump: skipped ${p}: ${why}`).sort()
      )
    }), 30_000)
})
