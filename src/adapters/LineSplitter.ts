/**
 * Splits the bytes of a log file into complete lines, keeping track of byte offsets.
 * Only lines ending in `\n` are consumed (a partial last line waits for the next run); CRLF is tolerated;
 * lines longer than the limit and lines that are not UTF-8 are counted as bad and skipped; blank lines are
 * ignored. With a prefilter, lines that do not contain the needle are counted but never decoded: the
 * hot path of `dump --parsed` and `send-events`, where a line without `"alert"` cannot be an alert.
 * A run of NUL bytes separates lines as `\n` does (issue 24 row 2: a crash's zero fill, or copytruncate
 * under a writer without O_APPEND, must not swallow the alert written after it); the NULs are counted in
 * `nulBytes` for the caller to say once, and are never part of a line.
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
  /** NUL bytes consumed as separators in this batch (0 on an ordinary log). */
  readonly nulBytes: number
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
  private nuls = 0

  constructor(private readonly opts: SplitterOptions) {
    this.pos = opts.start
    this.consumed = opts.start
    this.needle = opts.prefilter === undefined ? undefined : Buffer.from(opts.prefilter, "utf8")
  }

  /** NUL bytes consumed as separators so far, over every batch. */
  get nulBytes(): number {
    return this.nuls
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
    const batch: Mutable<LineBatch> = { lines: [], ends: [], end: this.consumed, lineCount: 0, bad: 0, countedTo: [], badTo: [], nulBytes: 0 }
    const chunkPos = this.pos
    this.pos += chunk.length
    let s = 0
    if (this.skipping || this.carry !== undefined) {
      // The unfinished line ends at the first `\n` or NUL; a NUL run after it is counted by `scan`.
      const nl = separator(chunk, 0)
      if (nl < 0) {
        // The unfinished line goes on through this whole chunk.
        if (this.carry !== undefined) this.keep(chunk, batch)
        return batch
      }
      if (this.skipping) {
        this.skipping = false // the end of an over-long line, counted when first seen
        s = chunk[nl] === 0 ? nl : nl + 1
      } else {
        const carry = this.carry!
        this.carry = undefined
        this.scan(Buffer.concat([carry, chunk.subarray(0, nl + 1)]), chunkPos - carry.length, batch)
        s = nl + 1
      }
      this.consumed = chunkPos + s
    }
    const rest = this.scan(chunk.subarray(s), chunkPos + s, batch)
    this.consumed = chunkPos + s + rest
    if (s + rest < chunk.length) this.keep(chunk.subarray(s + rest), batch)
    batch.end = this.consumed
    this.nuls += batch.nulBytes
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
    // The next `\n` and the next NUL at or after s, each searched again only once s has passed it.
    let lf = -1
    let zero = -1
    for (;;) {
      if (lf < s) {
        lf = buf.indexOf(10, s)
        if (lf < 0) lf = buf.length
      }
      if (zero < s) {
        zero = buf.indexOf(0, s)
        if (zero < 0) zero = buf.length
      }
      const nl = Math.min(lf, zero)
      if (nl >= buf.length) break
      // A NUL run ends the line before it (if any) and is consumed whole: the next line starts after it.
      let after = nl + 1
      if (nl === zero) {
        while (after < buf.length && buf[after] === 0) after++
        batch.nulBytes += after - nl
      }
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
      s = after
    }
    return s
  }
}

/** The first `\n` or NUL at or after `from`, or -1. */
const separator = (buf: Buffer, from: number): number => {
  const lf = buf.indexOf(10, from)
  const zero = buf.indexOf(0, from)
  return lf < 0 ? zero : zero < 0 ? lf : Math.min(lf, zero)
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }
