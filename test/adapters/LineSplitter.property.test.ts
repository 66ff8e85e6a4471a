/** Splitting at arbitrary chunk boundaries gives what a one-shot split (and a plain model) gives. */
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { isUtf8 } from "node:buffer"
import { LineSplitter } from "../../src/adapters/LineSplitter.js"

interface Result {
  lines: Array<string>
  ends: Array<number>
  lineCount: number
  bad: number
  end: number
}

/**
 * The reading of SPEC section 4, written plainly: complete lines only; CR before LF stripped; blank lines
 * skipped; lines longer than `max` bytes (before the LF) bad, also a trailing partial one already longer;
 * lines without the needle counted but not decoded; the rest bad unless UTF-8. A run of NUL bytes ends a
 * line as LF does and is consumed whole (issue 24 row 2).
 */
const model = (data: Buffer, max: number, needle: string | undefined, start: number): Result => {
  const r: Result = { lines: [], ends: [], lineCount: 0, bad: 0, end: start }
  let s = 0
  for (;;) {
    const lf = data.indexOf(10, s)
    const zero = data.indexOf(0, s)
    const nl = lf < 0 ? zero : zero < 0 ? lf : Math.min(lf, zero)
    let after = nl + 1
    while (nl === zero && after < data.length && data[after] === 0) after++
    if (nl < 0) {
      if (data.length - s > max) {
        r.lineCount++
        r.bad++
      }
      break
    }
    const e = nl > s && data[nl - 1] === 13 ? nl - 1 : nl
    if (e > s) {
      r.lineCount++
      const line = data.subarray(s, e)
      if (nl - s > max) r.bad++
      else if (needle !== undefined && line.indexOf(needle) < 0) {
        // counted, never decoded
      } else if (!isUtf8(line)) r.bad++
      else {
        r.lines.push(line.toString("utf8"))
        r.ends.push(start + nl + 1)
      }
    }
    s = after
    r.end = start + s
  }
  return r
}

const run = (data: Buffer, sizes: ReadonlyArray<number>, max: number, needle: string | undefined, start: number) => {
  const splitter = new LineSplitter({ start, maxLineBytes: max, prefilter: needle })
  const r: Result = { lines: [], ends: [], lineCount: 0, bad: 0, end: start }
  let pos = 0
  let i = 0
  let lastNl = -1
  while (pos < data.length) {
    const n = sizes.length === 0 ? data.length : sizes[i++ % sizes.length]!
    const chunk = data.subarray(pos, pos + n)
    pos += chunk.length
    const batch = splitter.push(Buffer.from(chunk))
    r.lines.push(...batch.lines)
    r.ends.push(...batch.ends)
    r.lineCount += batch.lineCount
    r.bad += batch.bad
    r.end = batch.end
    // The offset is always just after the last separator seen (LF or NUL): never inside a line, however long.
    lastNl = Math.max(data.subarray(0, pos).lastIndexOf(10), data.subarray(0, pos).lastIndexOf(0))
    expect(batch.end).toBe(start + lastNl + 1)
    expect(splitter.offset).toBe(start + lastNl + 1)
  }
  return r
}

const line = (max: number) =>
  fc.oneof(
    fc.string({ maxLength: 12 }).map((s) => Buffer.from(s.replace(/\n/g, ""), "utf8")),
    fc.constantFrom('{"event_type":"alert"}', '"alert"', "alert", '{"x":1}', "é€😀").map((s) => Buffer.from(s)),
    fc.uint8Array({ maxLength: 6 }).map((a) => Buffer.from(a.filter((x) => x !== 10))),
    fc.constantFrom(Buffer.from([0xff]), Buffer.from([0xc3]), Buffer.from([0xe2, 0x82])),
    fc.integer({ min: max - 2, max: max + 3 }).map((n) => Buffer.alloc(Math.max(0, n), 0x61)),
    fc.integer({ min: max - 8, max: max + 3 }).map((n) => Buffer.concat([Buffer.alloc(Math.max(0, n), 0x62), Buffer.from('"alert"')])),
    // A crash's zero fill: a NUL run, alone or cutting a line.
    fc.integer({ min: 1, max: max * 3 }).map((n) => Buffer.alloc(n)),
    fc.integer({ min: 1, max: 20 }).map((n) => Buffer.concat([Buffer.from('{"half'), Buffer.alloc(n)]))
  )

const input = fc.integer({ min: 8, max: 40 }).chain((max) =>
  fc.record({
    max: fc.constant(max),
    data: fc
      .array(fc.tuple(line(max), fc.constantFrom("\n", "\n", "\r\n", "", "\r")), { maxLength: 12 })
      .map((parts) => Buffer.concat(parts.flatMap(([l, t]) => [l, Buffer.from(t)]))),
    sizes: fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 8 }),
    needle: fc.constantFrom(undefined, '"alert"', "a"),
    start: fc.constantFrom(0, 7, 1_000_000)
  })
)

describe("LineSplitter at arbitrary chunk boundaries", () => {
  it("yields the same lines, offsets and counts as a one-shot split and as the model", () => {
    fc.assert(
      fc.property(input, ({ max, data, sizes, needle, start }) => {
        const oneShot = run(data, [], max, needle, start)
        expect(oneShot).toEqual(model(data, max, needle, start))
        expect(run(data, sizes, max, needle, start)).toEqual(oneShot)
      }),
      { numRuns: 2000 }
    )
  })
})
