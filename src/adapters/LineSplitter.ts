/**
 * Splits the bytes of a log file into complete lines, keeping track of byte offsets.
 * Only lines ending in `\n` are consumed (a partial last line waits for the next run); CRLF is tolerated;
 * lines longer than the limit and lines that are not UTF-8 are counted as bad and skipped; blank lines are
 * ignored. With a prefilter, lines that do not contain the needle are counted but never decoded: the
 * hot path of `dump --parsed` and `send-events`, where a line without `"alert"` cannot be an alert.
 */
import { isUtf8 } from "node:buffer"

export interface LineBatch {
  /** Decoded lines that passed the prefilter. */
  readonly lines: Array<string>
  /** For each line, the file offset just after its `\n`. */
  readonly ends: Array<number>
  /** File offset after the last consumed byte: every line before it has been seen. */
  readonly end: number
  /** Complete lines consumed, bad ones included. */
  readonly lineCount: number
  /** Over-long or non-UTF-8 lines, skipped. */
  readonly bad: number
  /** For each line, `lineCount` and `bad` of this batch up to it: what a checkpoint at its end has passed. */
  readonly countedTo: Array<number>
  readonly badTo: Array<number>
}

export interface SplitterOptions {
  readonly start: number
  readonly maxLineBytes: number
  readonly prefilter?: string | undefined
}

export class LineSplitter {
  /** The start of an unfinished line (a copy: the chunk it came from is reused by the reader). */
  private carry: Buffer | undefined
  /** File offset of the next chunk's first byte. */
  private pos: number
  /** Inside a line already found to be over-long: drop bytes until its `\n`. */
  private skipping = false
  private consumed: number
  private readonly needle: Buffer | undefined

  constructor(private readonly opts: SplitterOptions) {
    this.pos = opts.start
    this.consumed = opts.start
    this.needle = opts.prefilter === undefined ? undefined : Buffer.from(opts.prefilter, "utf8")
  }

  /** The offset up to which the file has been consumed. */
  get offset(): number {
    return this.consumed
  }

  /**
   * Feeds the next bytes of the file (read from where the previous chunk ended). The chunk is not kept: the
   * caller may reuse its memory once this returns. Only the line that spans two chunks is copied, so
   * memory stays bounded by one chunk plus one line whatever the file size.
   */
  push(chunk: Buffer): LineBatch {
    const batch: Mutable<LineBatch> = { lines: [], ends: [], end: this.consumed, lineCount: 0, bad: 0, countedTo: [], badTo: [] }
    const chunkPos = this.pos
    this.pos += chunk.length
    let s = 0
    if (this.skipping || this.carry !== undefined) {
      const nl = chunk.indexOf(10)
      if (nl < 0) {
        // The unfinished line goes on through this whole chunk.
        if (this.carry !== undefined) this.keep(chunk, batch)
        return batch
      }
      if (this.skipping) this.skipping = false // the end of an over-long line, counted when first seen
      else {
        const carry = this.carry!
        this.carry = undefined
        this.scan(Buffer.concat([carry, chunk.subarray(0, nl + 1)]), chunkPos - carry.length, batch)
      }
      s = nl + 1
      this.consumed = chunkPos + s
    }
    const rest = this.scan(chunk.subarray(s), chunkPos + s, batch)
    this.consumed = chunkPos + s + rest
    if (s + rest < chunk.length) this.keep(chunk.subarray(s + rest), batch)
    batch.end = this.consumed
    return batch
  }

  /** Keeps the start of an unfinished line, or starts skipping it once it is over-long. */
  private keep(part: Buffer, batch: Mutable<LineBatch>): void {
    const carried = this.carry === undefined ? 0 : this.carry.length
    if (carried + part.length > this.opts.maxLineBytes) {
      this.carry = undefined
      this.skipping = true
      batch.lineCount++
      batch.bad++
    } else this.carry = this.carry === undefined ? Buffer.from(part) : Buffer.concat([this.carry, part])
  }

  /** Takes the complete lines of `buf` (at file offset `base`); returns the length consumed. */
  private scan(buf: Buffer, base: number, batch: Mutable<LineBatch>): number {
    const max = this.opts.maxLineBytes
    const needle = this.needle
    let s = 0
    let hit = -1
    for (;;) {
      const nl = buf.indexOf(10, s)
      if (nl < 0) break
      let e = nl
      if (e > s && buf[e - 1] === 13) e--
      if (e > s) {
        batch.lineCount++
        if (nl - s > max) batch.bad++
        else {
          let candidate = true
          if (needle !== undefined) {
            if (hit < s) {
              hit = buf.indexOf(needle, s)
              if (hit < 0) hit = buf.length
            }
            candidate = hit < e
          }
          if (candidate) {
            const line = buf.subarray(s, e)
            if (!isUtf8(line)) batch.bad++
            else {
              batch.lines.push(line.toString("utf8"))
              batch.ends.push(base + nl + 1)
              batch.countedTo.push(batch.lineCount)
              batch.badTo.push(batch.bad)
            }
          }
        }
      }
      s = nl + 1
    }
    return s
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }
