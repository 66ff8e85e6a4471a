import { describe, expect, it } from "@effect/vitest"
import { LineSplitter } from "../../src/adapters/LineSplitter.js"

const b = (s: string | ReadonlyArray<number>) => (typeof s === "string" ? Buffer.from(s, "utf8") : Buffer.from(s))
const splitter = (opts: { start?: number; maxLineBytes?: number; prefilter?: string } = {}) =>
  new LineSplitter({ start: opts.start ?? 0, maxLineBytes: opts.maxLineBytes ?? 1024, prefilter: opts.prefilter })

describe("LineSplitter", () => {
  it("gives complete lines with the offset after each", () => {
    const r = splitter().push(b('{"a":1}\n{"b":2}\n'))
    expect(r.lines).toEqual(['{"a":1}', '{"b":2}'])
    expect(r.ends).toEqual([8, 16])
    expect(r.end).toBe(16)
    expect(r.lineCount).toBe(2)
    expect(r.bad).toBe(0)
  })

  it("counts offsets from the start it was given", () => {
    const r = splitter({ start: 1000 }).push(b("x\ny\n"))
    expect(r.ends).toEqual([1002, 1004])
    expect(r.end).toBe(1004)
  })

  it("does not consume a partial last line; consumes it once completed", () => {
    const s = splitter()
    const first = s.push(b("one\ntw"))
    expect(first.lines).toEqual(["one"])
    expect(first.end).toBe(4)
    expect(s.offset).toBe(4)
    const second = s.push(b("o\nthr"))
    expect(second.lines).toEqual(["two"])
    expect(second.ends).toEqual([8])
    expect(second.end).toBe(8)
  })

  it("a chunk without any newline consumes nothing", () => {
    const s = splitter()
    expect(s.push(b("abc")).lineCount).toBe(0)
    expect(s.offset).toBe(0)
    expect(s.push(b("def\n")).lines).toEqual(["abcdef"])
  })

  it("tolerates CRLF", () => {
    const r = splitter().push(b("a\r\nb\r\n"))
    expect(r.lines).toEqual(["a", "b"])
    expect(r.ends).toEqual([3, 6])
  })

  it("a CR split from its LF by a chunk boundary is still stripped", () => {
    const s = splitter()
    expect(s.push(b("a\r")).lines).toEqual([])
    expect(s.push(b("\nb\n")).lines).toEqual(["a", "b"])
  })

  it("skips blank lines without counting them", () => {
    const r = splitter().push(b("\n\r\na\n\n"))
    expect(r.lines).toEqual(["a"])
    expect(r.lineCount).toBe(1)
    expect(r.end).toBe(6)
  })

  it("counts a line that is not UTF-8 as bad and goes on", () => {
    const r = splitter().push(Buffer.concat([b("ok\n"), b([0xff, 0xfe, 0x41, 0x0a]), b([0xc3, 0x0a]), b("é\n")]))
    expect(r.lines).toEqual(["ok", "é"])
    expect(r.bad).toBe(2)
    expect(r.lineCount).toBe(4)
  })

  it("counts an over-long line as bad, and reads the next lines", () => {
    const r = splitter({ maxLineBytes: 8 }).push(b("12345678\n123456789\nnext\n"))
    expect(r.lines).toEqual(["12345678", "next"])
    expect(r.ends).toEqual([9, 24])
    expect(r.bad).toBe(1)
    expect(r.lineCount).toBe(3)
  })

  it("an over-long line spanning several chunks is counted once, and the offset never points inside it", () => {
    const s = splitter({ maxLineBytes: 8 })
    const a = s.push(b("ok\n0123456789"))
    expect(a.lines).toEqual(["ok"])
    expect(a.bad).toBe(1)
    expect(a.lineCount).toBe(2)
    expect(s.offset).toBe(3)
    for (let i = 0; i < 5; i++) {
      const mid = s.push(b("abcdefghij"))
      expect(mid.lineCount).toBe(0)
      expect(mid.bad).toBe(0)
      expect(s.offset).toBe(3)
    }
    const end = s.push(b("xyz\nafter\n"))
    expect(end.lines).toEqual(["after"])
    expect(end.bad).toBe(0)
    expect(end.lineCount).toBe(1)
    expect(end.ends).toEqual([3 + 10 + 50 + 4 + 6])
    expect(s.offset).toBe(3 + 10 + 50 + 4 + 6)
  })

  describe("with a prefilter", () => {
    it("decodes only lines containing the needle, but counts every line", () => {
      const input = ['{"event_type":"flow"}', '{"event_type":"alert"}', '{"x":"alerts"}', '{"alert":{}}']
      const r = splitter({ prefilter: '"alert"' }).push(b(input.map((l) => `${l}\n`).join("")))
      const endOf = (i: number) => input.slice(0, i + 1).reduce((n, l) => n + l.length + 1, 0)
      expect(r.lines).toEqual([input[1], input[3]])
      expect(r.ends).toEqual([endOf(1), endOf(3)])
      expect(r.lineCount).toBe(4)
    })

    it("a line without the needle is not even checked for UTF-8", () => {
      const r = splitter({ prefilter: '"alert"' }).push(Buffer.concat([b([0xff, 0x0a]), b('"alert"\n')]))
      expect(r.lines).toEqual(['"alert"'])
      expect(r.bad).toBe(0)
      expect(r.lineCount).toBe(2)
    })

    it("finds a needle split across chunks", () => {
      const s = splitter({ prefilter: '"alert"' })
      expect(s.push(b('x\n{"al')).lines).toEqual([])
      expect(s.push(b('ert"}\n')).lines).toEqual(['{"alert"}'])
    })

    it("a needle in the next line does not select this one", () => {
      const r = splitter({ prefilter: "NEEDLE" }).push(b("a\nb NEEDLE\nc\n"))
      expect(r.lines).toEqual(["b NEEDLE"])
    })
  })
})
