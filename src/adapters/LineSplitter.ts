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
}

export interface SplitterOptions {
  readonly start: number
  readonly maxLineBytes: number
  readonly prefilter?: string | undefined
}

export class LineSplitter {
  private carry: Buffer | undefined
  private carryStart: number
  /** Inside a line already found to be over-long: drop bytes until its `\n`. */
  private skipping = false
  private consumed: number
  private readonly needle: Buffer | undefined

  constructor(private readonly opts: SplitterOptions) {
    this.carryStart = opts.start
    this.consumed = opts.start
    this.needle = opts.prefilter === undefined ? undefined : Buffer.from(opts.prefilter, "utf8")
  }

  /** The offset up to which the file has been consumed. */
  get offset(): number {
    return this.consumed
  }

  /** Feeds the next bytes of the file (read from where the previous chunk ended). */
  push(chunk: Buffer): LineBatch {
    const bufStart = this.carryStart
    const buf = this.carry === undefined ? chunk : Buffer.concat([this.carry, chunk])
    this.carry = undefined
    const lines: Array<string> = []
    const ends: Array<number> = []
    let lineCount = 0
    let bad = 0
    const max = this.opts.maxLineBytes
    const needle = this.needle
    let s = 0
    let hit = -1
    for (;;) {
      const nl = buf.indexOf(10, s)
      if (nl < 0) break
      if (this.skipping) {
        // The end of an over-long line, counted when it was first seen.
        this.skipping = false
      } else {
        let e = nl
        if (e > s && buf[e - 1] === 13) e--
        if (e > s) {
          lineCount++
          if (nl - s > max) bad++
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
              if (!isUtf8(line)) bad++
              else {
                lines.push(line.toString("utf8"))
                ends.push(bufStart + nl + 1)
              }
            }
          }
        }
      }
      s = nl + 1
    }
    // Still skipping means no newline was found: the offset stays at the start of the over-long line.
    if (!this.skipping) this.consumed = bufStart + s
    const rest = buf.length - s
    if (this.skipping) {
      // Still inside the over-long line: drop what we have and keep the resume point at its start.
      this.carryStart = bufStart + buf.length
    } else if (rest > max) {
      this.skipping = true
      lineCount++
      bad++
      this.carryStart = bufStart + buf.length
    } else {
      if (rest > 0) this.carry = Buffer.from(buf.subarray(s))
      this.carryStart = bufStart + s
    }
    return { lines, ends, end: this.consumed, lineCount, bad }
  }
}
