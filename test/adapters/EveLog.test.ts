/** The eve reader on real files (SPEC section 4): complete lines only, bad lines counted, rotation order. */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { appendFile, mkdir, rename, truncate, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { EveLog, EveLogError, layer, MAX_LINE_BYTES, type ReadOptions } from "../../src/adapters/EveLog.js"
import { orderRotated } from "../../src/domain/EveFileNames.js"
import { tempDir } from "../support/TempDir.js"

/** Reads a file to the end and merges the batches. */
const readAll = (path: string, opts: ReadOptions) =>
  Effect.gen(function* () {
    const eve = yield* EveLog
    const batches = Chunk.toReadonlyArray(yield* Stream.runCollect(eve.read(path, opts)))
    return {
      batches: batches.length,
      lines: batches.flatMap((b) => b.lines),
      ends: batches.flatMap((b) => b.ends),
      lineCount: batches.reduce((n, b) => n + b.lineCount, 0),
      bad: batches.reduce((n, b) => n + b.bad, 0),
      end: batches.length === 0 ? opts.start : batches[batches.length - 1]!.end
    }
  })

const write = (path: string, data: string | Buffer) => Effect.promise(() => writeFile(path, data))

describe("EveLog.read", () => {
  it.scoped("an empty file gives nothing", () =>
    Effect.gen(function* () {
      const f = join(yield* tempDir(), "eve.json")
      yield* write(f, "")
      const r = yield* readAll(f, { start: 0 })
      expect(r).toEqual({ batches: 0, lines: [], ends: [], lineCount: 0, bad: 0, end: 0 })
    }).pipe(Effect.provide(layer)))

  it.scoped("a partial last line is not consumed, and is read once it is completed", () =>
    Effect.gen(function* () {
      const f = join(yield* tempDir(), "eve.json")
      yield* write(f, '{"n":1}\n{"n":2}\n{"n":')
      const first = yield* readAll(f, { start: 0 })
      expect(first.lines).toEqual(['{"n":1}', '{"n":2}'])
      expect(first.end).toBe(16)
      // Nothing more to read until the writer finishes the line.
      expect((yield* readAll(f, { start: first.end })).lines).toEqual([])
      yield* Effect.promise(() => appendFile(f, '3}\n{"n":4}\n'))
      const second = yield* readAll(f, { start: first.end })
      expect(second.lines).toEqual(['{"n":3}', '{"n":4}'])
      expect(second.ends).toEqual([24, 32])
    }).pipe(Effect.provide(layer)))

  it.scoped("tolerates CRLF line ends, and skips blank lines", () =>
    Effect.gen(function* () {
      const f = join(yield* tempDir(), "eve.json")
      yield* write(f, '{"a":1}\r\n\r\n\n{"b":2}\r\n')
      const r = yield* readAll(f, { start: 0 })
      expect(r.lines).toEqual(['{"a":1}', '{"b":2}'])
      expect(r.lineCount).toBe(2)
      expect(r.end).toBe(21)
    }).pipe(Effect.provide(layer)))

  it.scoped("counts invalid UTF-8 as bad, never crashes, and reads on", () =>
    Effect.gen(function* () {
      const f = join(yield* tempDir(), "eve.json")
      yield* write(f, Buffer.concat([Buffer.from('{"a":"\xff\xfe"}\n', "latin1"), Buffer.from([0xed, 0xa0, 0x80, 10]), Buffer.from('{"ok":"é"}\n')]))
      const r = yield* readAll(f, { start: 0 })
      expect(r.lines).toEqual(['{"ok":"é"}'])
      expect(r.bad).toBe(2)
      expect(r.lineCount).toBe(3)
    }).pipe(Effect.provide(layer)))

  it.scoped("counts a line over 1 MiB as bad and reads the next lines, in one chunk or across many", () =>
    Effect.gen(function* () {
      const f = join(yield* tempDir(), "eve.json")
      const huge = `{"payload":"${"A".repeat(MAX_LINE_BYTES)}"}`
      const justFits = `{"p":"${"B".repeat(MAX_LINE_BYTES - 8)}"}`
      expect(Buffer.byteLength(justFits)).toBe(MAX_LINE_BYTES)
      yield* write(f, `{"n":1}\n${huge}\n${justFits}\n{"n":2}\n`)
      for (const chunkBytes of [undefined, 64 * 1024, 3 * MAX_LINE_BYTES]) {
        const r = yield* readAll(f, { start: 0, ...(chunkBytes === undefined ? {} : { chunkBytes }) })
        expect(r.lines).toEqual(['{"n":1}', justFits, '{"n":2}'])
        expect(r.bad).toBe(1)
        expect(r.lineCount).toBe(4)
        expect(r.end).toBe(8 + huge.length + 1 + justFits.length + 1 + 8)
      }
    }).pipe(Effect.provide(layer)))

  it.scoped("small chunks and a small line limit exercise every boundary", () =>
    Effect.gen(function* () {
      const f = join(yield* tempDir(), "eve.json")
      const lines = ["short", "x".repeat(16), "y".repeat(17), "z".repeat(40), "", "after", "w".repeat(15) + "\r"]
      yield* write(f, lines.map((l) => `${l}\n`).join(""))
      for (const chunkBytes of [1, 2, 3, 5, 7, 16, 17, 18, 64]) {
        const r = yield* readAll(f, { start: 0, chunkBytes, maxLineBytes: 16 })
        expect(r.lines).toEqual(["short", "x".repeat(16), "after", "w".repeat(15)])
        expect(r.bad).toBe(2)
        expect(r.lineCount).toBe(6)
        expect(r.end).toBe(lines.reduce((n, l) => n + l.length + 1, 0))
      }
    }).pipe(Effect.provide(layer)))

  it.scoped("an over-long partial last line is counted as bad but leaves the offset before it", () =>
    Effect.gen(function* () {
      const f = join(yield* tempDir(), "eve.json")
      yield* write(f, `ok\n${"q".repeat(100)}`)
      const r = yield* readAll(f, { start: 0, chunkBytes: 8, maxLineBytes: 16 })
      expect(r.lines).toEqual(["ok"])
      expect(r.bad).toBe(1)
      expect(r.end).toBe(3)
    }).pipe(Effect.provide(layer)))

  it.scoped("with a prefilter decodes only lines holding the needle, but counts every line", () =>
    Effect.gen(function* () {
      const f = join(yield* tempDir(), "eve.json")
      const content = [
        '{"event_type":"flow","src_ip":"10.0.0.1"}',
        '{"event_type":"alert","alert":{"signature_id":1}}',
        '{"event_type":"dns"}',
        '{"event_type":"alert"}'
      ]
      yield* write(f, content.map((l) => `${l}\n`).join(""))
      for (const chunkBytes of [4, 1024]) {
        const r = yield* readAll(f, { start: 0, prefilter: '"alert"', chunkBytes })
        expect(r.lines).toEqual([content[1], content[3]])
        expect(r.lineCount).toBe(4)
      }
    }).pipe(Effect.provide(layer)))

  it.scoped("starts at the given byte offset", () =>
    Effect.gen(function* () {
      const f = join(yield* tempDir(), "eve.json")
      yield* write(f, "first\nsecond\nthird\n")
      const r = yield* readAll(f, { start: 6 })
      expect(r.lines).toEqual(["second", "third"])
      expect(r.ends).toEqual([13, 19])
    }).pipe(Effect.provide(layer)))

  it.scoped("a missing file is an EveLogError NotFound", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir()
      const e = yield* Effect.flip(readAll(join(dir, "nope.json"), { start: 0 }))
      expect(e).toBeInstanceOf(EveLogError)
      expect(e.reason).toBe("NotFound")
      expect(e.message).toContain("nope.json")
    }).pipe(Effect.provide(layer)))

  it.scoped("with `expect`, reads only if the file opened is the one expected (same inode and first line)", () =>
    Effect.gen(function* () {
      const eve = yield* EveLog
      const dir = yield* tempDir()
      const [a, b] = [join(dir, "eve.json"), join(dir, "eve.json.1")]
      yield* write(a, "first\nsecond\n")
      const planned = (yield* eve.observe(a))!
      const expectA = { dev: planned.dev, ino: planned.ino, fingerprint: planned.fingerprint! }
      expect((yield* readAll(a, { start: 6, expect: expectA })).lines).toEqual(["second"])
      // Rotated since it was observed: the path now holds another file, which is not read at this one's offset.
      yield* Effect.promise(() => rename(a, b))
      yield* write(a, "other\nlines\n")
      expect(yield* readAll(a, { start: 6, expect: expectA })).toMatchObject({ batches: 0, lines: [] })
      expect((yield* readAll(b, { start: 6, expect: expectA })).lines).toEqual(["second"])
      // Same inode, rewritten with another first line: another file too.
      yield* write(b, "rewritten\nline\n")
      expect(yield* readAll(b, { start: 6, expect: expectA })).toMatchObject({ batches: 0, lines: [] })
    }).pipe(Effect.provide(layer)))

  it.scoped("with `expect`, a file truncated and written past the read's offset while it is read gives none of the new lines", () =>
    Effect.gen(function* () {
      const eve = yield* EveLog
      const f = join(yield* tempDir(), "eve.json")
      const old = Array.from({ length: 40 }, (_, i) => `{"old":${String(i).padStart(4, "0")}}`).join("\n") + "\n"
      yield* write(f, old)
      const o = (yield* eve.observe(f))!
      const pull = yield* Stream.toPull(eve.read(f, { start: 0, chunkBytes: 64, expect: { dev: o.dev, ino: o.ino, fingerprint: o.fingerprint! } }))
      const first = yield* pull
      // A 64-byte chunk holds the first four 13-byte lines.
      expect(Chunk.toReadonlyArray(first).flatMap((b) => b.lines)).toEqual(old.split("\n").slice(0, 4))
      // logrotate's copytruncate, then Suricata writes on past where the read stands (same inode, new first line).
      yield* Effect.promise(() => truncate(f, 0))
      yield* Effect.promise(() => appendFile(f, Array.from({ length: 40 }, (_, i) => `{"new":${String(i).padStart(4, "0")}}`).join("\n") + "\n"))
      const rest = yield* Stream.runCollect(Stream.fromPull(Effect.succeed(pull)))
      expect(Chunk.toReadonlyArray(rest).flatMap((b) => b.lines)).toEqual([])
    }).pipe(Effect.provide(layer)))

  it.scoped("with `expect`, a file that only grows while it is read is read to its end", () =>
    Effect.gen(function* () {
      const eve = yield* EveLog
      const f = join(yield* tempDir(), "eve.json")
      yield* write(f, '{"n":0}\n{"n":1}\n')
      const o = (yield* eve.observe(f))!
      const pull = yield* Stream.toPull(eve.read(f, { start: 0, chunkBytes: 8, expect: { dev: o.dev, ino: o.ino, fingerprint: o.fingerprint! } }))
      const lines = Chunk.toReadonlyArray(yield* pull).flatMap((b) => b.lines)
      yield* Effect.promise(() => appendFile(f, '{"n":2}\n'))
      const rest = yield* Stream.runCollect(Stream.fromPull(Effect.succeed(pull)))
      expect([...lines, ...Chunk.toReadonlyArray(rest).flatMap((b) => b.lines)]).toEqual(['{"n":0}', '{"n":1}', '{"n":2}'])
    }).pipe(Effect.provide(layer)))
})

describe("EveLog.files", () => {
  it.scoped("lists eve.json and its rotated siblings oldest first (eve.json.10 before eve.json.2); other files ignored", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir()
      for (const n of ["eve.json", "eve.json.1", "eve.json.2", "eve.json.10", "eve.json.3", "stats.log", "eve.json.1.gz",
        "eve.json.bak", "eve.json.", "other.json", "fast.log", "eve.json.0"]) {
        yield* write(join(dir, n), `${n}\n`)
      }
      yield* Effect.promise(() => mkdir(join(dir, "subdir")))
      const files = yield* Effect.flatMap(EveLog, (e) => e.files(dir))
      expect(files.map((f) => f.path)).toEqual(
        ["eve.json.10", "eve.json.3", "eve.json.2", "eve.json.1", "eve.json.0", "eve.json"].map((n) => join(dir, n))
      )
      expect(files[5]!.size).toBe("eve.json\n".length)
    }).pipe(Effect.provide(layer)))

  it.scoped("a file path gives that file alone, whatever its name", () =>
    Effect.gen(function* () {
      const f = join(yield* tempDir(), "capture-2026.json")
      yield* write(f, "x\n")
      const files = yield* Effect.flatMap(EveLog, (e) => e.files(f))
      expect(files.map((x) => x.path)).toEqual([f])
    }).pipe(Effect.provide(layer)))

  it.scoped("a directory without eve files gives no files", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir()
      yield* write(join(dir, "stats.log"), "x\n")
      const files = yield* Effect.flatMap(EveLog, (e) => e.files(dir))
      expect(files).toEqual([])
    }).pipe(Effect.provide(layer)))

  it.effect("a missing path is an EveLogError NotFound naming it", () =>
    Effect.gen(function* () {
      const e = yield* Effect.flip(Effect.flatMap(EveLog, (x) => x.files("/nonexistent/suricata")))
      expect(e._tag).toBe("EveLogError")
      expect(e.reason).toBe("NotFound")
      expect(e.message).toContain("/nonexistent/suricata")
    }).pipe(Effect.provide(layer)))
})

describe("EveLog.observe", () => {
  it.scoped("names a file by its first line (the same after a rename), not before it has one, and not once gone", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir()
      const eve = yield* EveLog
      yield* write(join(dir, "a"), "head\nrest\n")
      yield* write(join(dir, "b"), "partial")
      const a = yield* eve.observe(join(dir, "a"))
      expect(a).toMatchObject({ path: join(dir, "a"), size: 10 })
      expect(a?.fingerprint).toMatch(/^[0-9a-f]{32}$/)
      yield* Effect.promise(() => rename(join(dir, "a"), join(dir, "a.1")))
      expect((yield* eve.observe(join(dir, "a.1")))?.fingerprint).toBe(a?.fingerprint)
      expect((yield* eve.observe(join(dir, "b")))?.fingerprint).toBeUndefined()
      expect(yield* eve.observe(join(dir, "a"))).toBeUndefined()
    }).pipe(Effect.provide(layer)))
})

describe("orderRotated", () => {
  it("sorts by rotation number, numerically, oldest first", () => {
    expect(orderRotated(["eve.json", "eve.json.2", "eve.json.10", "eve.json.1", "eve.json.9", "x"])).toEqual([
      "eve.json.10", "eve.json.9", "eve.json.2", "eve.json.1", "eve.json"
    ])
  })
})
