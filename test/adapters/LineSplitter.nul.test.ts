/**
 * Issue 24 row 2: NUL bytes are never part of a line. A crash leaves zeros where a write was under way, and
 * copytruncate under a writer without O_APPEND leaves the file's old length as zeros before the next line;
 * a run of NULs separates lines, the next complete line is delivered, and the NULs are counted.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { appendFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { afterEach } from "vitest"
import * as EveLog from "../../src/adapters/EveLog.js"
import { LineSplitter } from "../../src/adapters/LineSplitter.js"
import { alertLine, idsOf, makeDirs, range, runOk } from "../support/SendHarness.js"
import { type Sink, startSink } from "../support/TelemetrySink.js"

const splitter = (maxLineBytes = 1024) => new LineSplitter({ start: 0, maxLineBytes })
const zeros = (n: number) => Buffer.alloc(n)

describe("LineSplitter: NUL runs", () => {
  it("a NUL run between two lines is a separator; the line after it is delivered and the NULs counted", () => {
    const s = splitter()
    const r = s.push(Buffer.concat([Buffer.from("one\n"), zeros(100), Buffer.from("two\n")]))
    expect(r.lines).toEqual(["one", "two"])
    expect(r.ends).toEqual([4, 108])
    expect(r.nulBytes).toBe(100)
    expect(s.nulBytes).toBe(100)
    expect(r.bad).toBe(0)
  })

  it("a half-written line cut by zeros ends there (a bad line at most); the next line is whole", () => {
    const r = splitter().push(Buffer.concat([Buffer.from('{"half'), zeros(10), Buffer.from('{"b":2}\n')]))
    expect(r.lines).toEqual(['{"half', '{"b":2}'])
    expect(r.nulBytes).toBe(10)
  })

  it("a NUL run longer than a line, across chunk boundaries and with an unfinished line, never swallows the next line", () => {
    const s = splitter(64)
    const data = Buffer.concat([Buffer.from("a\npart"), zeros(70_000), Buffer.from("next\n")])
    const lines: Array<string> = []
    let nuls = 0
    let bad = 0
    for (let i = 0; i < data.length; i += 4096) {
      const b = s.push(data.subarray(i, i + 4096))
      lines.push(...b.lines)
      nuls += b.nulBytes
      bad += b.bad
    }
    expect(lines).toEqual(["a", "part", "next"])
    expect(nuls).toBe(70_000)
    expect(bad).toBe(0)
    expect(s.offset).toBe(data.length)
  })

  it("zeros at the end of the file are consumed, and an over-long line ends at a NUL", () => {
    const s = splitter(8)
    const r = s.push(Buffer.concat([Buffer.from("ok\n"), Buffer.from("x".repeat(20)), zeros(5), Buffer.from("y\n"), zeros(3)]))
    expect(r.lines).toEqual(["ok", "y"])
    expect(r.bad).toBe(1)
    expect(r.nulBytes).toBe(8)
    expect(r.end).toBe(3 + 20 + 5 + 2 + 3)
  })

  it("an ordinary log counts none", () => {
    expect(splitter().push(Buffer.from("a\nb\n")).nulBytes).toBe(0)
  })
})

let sinks: Array<Sink> = []
afterEach(async () => {
  await Promise.all(sinks.map((s) => s.close()))
  sinks = []
})

describe("a real eve.json with 64 KiB of NULs", () => {
  it.effect("EveLog reads the alert right after the zeros, and says how many NULs it passed", () =>
    Effect.gen(function* () {
      const dirs = yield* Effect.promise(makeDirs)
      const path = join(dirs.log, "eve.json")
      yield* Effect.promise(() => writeFile(path, range(1, 19).map((i) => alertLine(i)).join("")))
      yield* Effect.promise(() => appendFile(path, zeros(65_536)))
      yield* Effect.promise(() => appendFile(path, alertLine(20)))
      const batches = yield* EveLog.make().read(path, { start: 0, chunkBytes: 16_384 }).pipe(Stream.runCollect)
      const all = Chunk.toReadonlyArray(batches)
      expect(all.flatMap((b) => b.lines).map((l) => (JSON.parse(l) as { flow_id: number }).flow_id)).toEqual(range(1, 20))
      expect(all.reduce((n, b) => n + b.nulBytes, 0)).toBe(65_536)
      expect(all.reduce((n, b) => n + b.bad, 0)).toBe(0)
    }))

  it.effect("send-events on a loopback service delivers 20 of 20, then the alert after more zeros too", () =>
    Effect.gen(function* () {
      const sink = yield* Effect.promise(() => startSink())
      sinks.push(sink)
      const dirs = yield* Effect.promise(makeDirs)
      const path = join(dirs.log, "eve.json")
      yield* Effect.promise(() => writeFile(path, range(1, 19).map((i) => alertLine(i)).join("")))
      yield* Effect.promise(() => appendFile(path, zeros(65_536)))
      yield* Effect.promise(() => appendFile(path, alertLine(20)))
      yield* runOk(dirs, { baseUrl: sink.url })
      expect(idsOf(sink.accepted).sort((a, b) => a - b)).toEqual(range(1, 20))
      // The daemon's next minute: more zeros, then one alert.
      yield* Effect.promise(() => appendFile(path, Buffer.concat([zeros(4096), Buffer.from(alertLine(21))])))
      yield* runOk(dirs, { baseUrl: sink.url })
      expect(idsOf(sink.accepted).sort((a, b) => a - b)).toEqual(range(1, 21))
    }), 30_000)
})

describe("dump (built CLI) on a log with NUL runs", () => {
  it("prints every alert and says the NULs once", async () => {
    const { ensureBuilt, runBuilt } = await import("../support/BuiltCli.js")
    await ensureBuilt()
    const dirs = await makeDirs()
    const path = join(dirs.log, "eve.json")
    await writeFile(path, range(1, 3).map((i) => alertLine(i)).join(""))
    await appendFile(path, Buffer.concat([zeros(65_536), Buffer.from(alertLine(4)), zeros(10), Buffer.from(alertLine(5))]))
    const r = await runBuilt(["dump", "--log", path, "--since", "all", "--root", dirs.root], 60_000)
    expect(r.code).toBe(0)
    expect(r.stdout.trim().split("\n").map((l) => (JSON.parse(l) as { flow_id: number }).flow_id)).toEqual(range(1, 5))
    expect(r.stderr.match(/NUL bytes/g)).toHaveLength(1)
    expect(r.stderr).toContain("65546 NUL bytes in the log read as line breaks")
  }, 60_000)
})
