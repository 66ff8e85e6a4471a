/**
 * Where a command's output goes: stdout for data (one JSON object a line), stderr for counts, warnings and
 * progress. A service so tests read exactly what a user would see. Whatever passes here is made printable
 * (src/domain/Printable.ts: stderr lines with `?`, stdout with JSON escapes), in the live and the test layer
 * alike, so no text from outside reaches a terminal or a log raw, whichever program wrote the line.
 */
import { Context, Effect, Layer } from "effect"
import { printable, printableJson, printableLine } from "../domain/Printable.js"

export interface OutputService {
  /** Data for stdout; waits when the pipe is full so a slow reader bounds memory. */
  readonly out: (text: string) => Effect.Effect<void>
  /**
   * Data lines for stdout, each ended by `\n`: what `out(lines.join("\n") + "\n")` writes (nothing for no
   * line), without building that string (dump's batches of events).
   */
  readonly outLines: (lines: ReadonlyArray<string>) => Effect.Effect<void>
  /** One message line for stderr. */
  readonly err: (line: string) => Effect.Effect<void>
  /** A progress line that overwrites itself; shown only on a terminal. `""` removes it. */
  readonly progress: (line: string) => Effect.Effect<void>
  readonly isTTY: boolean
}

export class Output extends Context.Tag("etpro/Output")<Output, OutputService>() {}

/**
 * Lines made printable one by one (each a flat string: one scan) and encoded into one buffer. A string built
 * of many lines would first be flattened, whether to scan or to write it: ~4 ns a byte, the largest cost of
 * writing a 30 MB dump. Each line is made printable as the joined text would be: `\n` is not in the class.
 */
const linesBuffer = (lines: ReadonlyArray<string>): Buffer => {
  const safe = new Array<string>(lines.length)
  let bytes = 0
  for (let i = 0; i < lines.length; i++) {
    safe[i] = printableJson(lines[i]!)
    bytes += Buffer.byteLength(safe[i]!) + 1
  }
  const buf = Buffer.allocUnsafe(bytes)
  let at = 0
  for (const line of safe) {
    at += buf.write(line, at)
    buf[at++] = 10
  }
  return buf
}

const write = (stream: NodeJS.WriteStream, text: string | Uint8Array) =>
  Effect.async<void>((resume) => {
    if (stream.write(text)) resume(Effect.void)
    else stream.once("drain", () => resume(Effect.void))
  })

export const layer = Layer.sync(Output, () => {
  // `dump ... | head`: the reader has gone, so stop quietly as other Unix tools do instead of crashing on EPIPE.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0)
    throw e
  })
  const tty = process.stderr.isTTY === true
  let progressShown = false
  const clearProgress = () => {
    if (progressShown) process.stderr.write("\r\x1b[2K")
    progressShown = false
  }
  // Data on the same terminal as the progress line would be written after it: remove the line first.
  const data = (bytes: string | Uint8Array) =>
    progressShown && process.stdout.isTTY === true ? Effect.zipRight(Effect.sync(clearProgress), write(process.stdout, bytes)) : write(process.stdout, bytes)
  return {
    out: (raw) => data(printableJson(raw)),
    outLines: (lines) => (lines.length === 0 ? Effect.void : data(linesBuffer(lines))),
    err: (raw) => Effect.sync(() => {
      clearProgress()
      const line = printableLine(raw)
      process.stderr.write(line.endsWith("\n") ? line : `${line}\n`)
    }),
    progress: (line) => tty ? Effect.sync(() => {
      if (line === "") return clearProgress()
      process.stderr.write(`\r\x1b[2K${printable(line)}`)
      progressShown = true
    }) : Effect.void,
    isTTY: tty
  }
})

export interface Captured {
  readonly stdout: Array<string>
  readonly stderr: Array<string>
}

/** What a test layer collected; arrays grow as the program writes. */
export class CapturedOutput extends Context.Tag("etpro/CapturedOutput")<CapturedOutput, Captured>() {}

export const layerTest = (opts: { isTTY?: boolean } = {}) =>
  Layer.sync(CapturedOutput, (): Captured => ({ stdout: [], stderr: [] })).pipe(
    Layer.flatMap((ctx) => {
      const c = Context.get(ctx, CapturedOutput)
      return Layer.succeedContext(
        Context.make(Output, {
          out: (text) => Effect.sync(() => void c.stdout.push(printableJson(text))),
          // What the live layer writes, as one string: the bytes of linesBuffer.
          outLines: (lines) => Effect.sync(() => void (lines.length > 0 && c.stdout.push(linesBuffer(lines).toString("utf8")))),
          err: (line) => Effect.sync(() => void c.stderr.push(printableLine(line))),
          progress: () => Effect.void,
          isTTY: opts.isTTY ?? false
        }).pipe(Context.add(CapturedOutput, c))
      )
    })
  )
