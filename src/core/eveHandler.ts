/**
 * A Web-standard fetch handler, `(request) => Promise<Response>`, for a collector that sanitises eve logs
 * before they leave (Vector, Fluent Bit or Logstash posting NDJSON to a function). POST eve lines, one JSON
 * record a line; the answer is the NDJSON of the events exactly as `send-events` would POST them, and
 * how many lines were read and skipped. The body is read as a stream and never held beyond `maxBodyBytes`.
 * Lines are cut as the agent cuts eve.json: at `\n`, a trailing `\r` dropped, blank lines ignored.
 */
import { Effect } from "effect"
import {
  InvalidSanitiseOptions,
  makeLineSanitiserEither,
  type SanitiseOptions,
  type SanitiseResult,
  type SkipReason
} from "./sanitiseLine.js"

export interface EveHandlerOptions extends SanitiseOptions {
  /** The largest body read, in bytes (default 8 MiB); a larger one is answered 413 and not read further. */
  readonly maxBodyBytes?: number | undefined
}

export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024

/**
 * Media types of newline-delimited JSON. `application/json` too: Fluent Bit's `json_lines` format and
 * Logstash's `json` format post one record a line under it.
 */
const NDJSON_TYPES = new Set([
  "application/x-ndjson",
  "application/ndjson",
  "application/jsonl",
  "application/json-lines",
  "application/x-jsonlines",
  "application/json",
  "text/plain"
])

/** The summary headers: lines read (blank ones not counted), events answered, lines skipped. */
export const SUMMARY_HEADERS = { lines: "x-etpro-lines", events: "x-etpro-events", skipped: "x-etpro-skipped" } as const

const jsonError = (status: number, error: string, message: string, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ error, message }) + "\n", {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers }
  })

/** Why a body was refused. */
class Refused {
  constructor(readonly response: Response) {}
}

/** The media type is one of NDJSON's and the charset, if named, is UTF-8. */
const contentTypeProblem = (header: string | null): string | undefined => {
  if (header === null) return "no content-type: send application/x-ndjson"
  const [type, ...params] = header.split(";").map((p) => p.trim().toLowerCase())
  if (!NDJSON_TYPES.has(type!)) return `content-type ${JSON.stringify(type)} is not newline-delimited JSON: send application/x-ndjson`
  const charset = params.find((p) => p.startsWith("charset="))?.slice(8).replace(/"/g, "")
  if (charset !== undefined && charset !== "utf-8" && charset !== "utf8") return `charset ${JSON.stringify(charset)}: eve lines are UTF-8`
  return undefined
}

const tooLarge = (max: number) => jsonError(413, "body-too-large", `the body is larger than ${max} bytes`)

/** Reads the body chunk by chunk, handing each complete line on; refuses past `max` bytes or on bad UTF-8. */
const readLines = async (
  body: ReadableStream<Uint8Array>,
  max: number,
  onLine: (line: string) => void,
  signals: ReadonlyArray<AbortSignal>
): Promise<void> => {
  const reader = body.getReader()
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false })
  let bytes = 0
  let rest = ""
  // An abort wakes a read that waits for bytes.
  const abort = () => void reader.cancel().catch(() => undefined)
  const aborted = () => signals.some((s) => s.aborted)
  for (const s of signals) s.addEventListener("abort", abort, { once: true })
  if (aborted()) abort()
  const take = (text: string, last: boolean) => {
    const parts = text.split("\n")
    parts[0] = rest + parts[0]!
    rest = last ? "" : parts.pop()!
    for (const p of parts) {
      const line = p.endsWith("\r") ? p.slice(0, -1) : p
      if (line !== "") onLine(line)
    }
  }
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (aborted()) throw new Refused(jsonError(400, "aborted", "the request was aborted"))
      if (done) break
      bytes += value.byteLength
      if (bytes > max) throw new Refused(tooLarge(max))
      let text: string
      try {
        text = decoder.decode(value, { stream: true })
      } catch {
        throw new Refused(jsonError(400, "not-utf-8", "the body is not UTF-8"))
      }
      take(text, false)
    }
    let end: string
    try {
      end = decoder.decode()
    } catch {
      throw new Refused(jsonError(400, "not-utf-8", "the body ends inside a UTF-8 character"))
    }
    take(end, true)
  } catch (e) {
    // Stop the sender: nothing more of this body is read.
    await reader.cancel().catch(() => undefined)
    throw e
  } finally {
    for (const s of signals) s.removeEventListener("abort", abort)
    reader.releaseLock()
  }
}

/** Answers one request; `signals` stop the reading (the request's own, and the Effect program's). */
const answer = async (
  sanitise: (line: string) => SanitiseResult,
  max: number,
  request: Request,
  signals: ReadonlyArray<AbortSignal>
): Promise<Response> => {
  if (request.method !== "POST") return jsonError(405, "method-not-allowed", "POST eve lines (NDJSON)", { allow: "POST" })
  const typeProblem = contentTypeProblem(request.headers.get("content-type"))
  if (typeProblem !== undefined) return jsonError(400, "bad-content-type", typeProblem)
  const encoding = request.headers.get("content-encoding")
  if (encoding !== null && encoding.trim().toLowerCase() !== "identity") {
    return jsonError(400, "bad-content-encoding", `content-encoding ${JSON.stringify(encoding)}: send the lines uncompressed`)
  }
  const declared = request.headers.get("content-length")
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > max) {
    await request.body?.cancel().catch(() => undefined)
    return tooLarge(max)
  }
  let lines = 0
  const skipped: Partial<Record<SkipReason, number>> = {}
  const events: Array<string> = []
  try {
    if (request.body !== null) {
      await readLines(request.body, max, (line) => {
        lines++
        const r = sanitise(line)
        if (r.kind === "event") events.push(r.body)
        else skipped[r.reason] = (skipped[r.reason] ?? 0) + 1
      }, signals)
    }
  } catch (e) {
    if (e instanceof Refused) return e.response
    return jsonError(400, "unreadable-body", `the body could not be read: ${(e as Error).message}`)
  }
  const reasons = Object.entries(skipped)
  const headers: Record<string, string> = {
    "content-type": "application/x-ndjson; charset=utf-8",
    [SUMMARY_HEADERS.lines]: String(lines),
    [SUMMARY_HEADERS.events]: String(events.length),
    [SUMMARY_HEADERS.skipped]: String(reasons.reduce((a, [, n]) => a + n, 0))
  }
  // Why, reason by reason: `not-alert=7, bad-line=1`.
  if (reasons.length > 0) headers["x-etpro-skipped-reasons"] = reasons.map(([k, n]) => `${k}=${n}`).join(", ")
  return new Response(events.length === 0 ? "" : events.join("\n") + "\n", { status: 200, headers })
}

/**
 * The handler for one set of options (checked here: options it cannot understand throw
 * `InvalidSanitiseOptions` now, not at the first request). It takes the request alone, so it can be given
 * as it is to runtimes that pass more (Workers' `env`, Bun's server, Deno's connection info).
 */
export const eveHandler = (options: EveHandlerOptions): ((request: Request) => Promise<Response>) => {
  const made = makeLineSanitiserEither(options)
  if (made instanceof InvalidSanitiseOptions) throw made
  const max = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  return (request) => answer(made.sanitise, max, request, [request.signal])
}

/** The Effect program: bad options are a typed failure; interrupting a request stops reading its body. */
export const eveHandlerEffect = (
  options: EveHandlerOptions
): Effect.Effect<(request: Request) => Effect.Effect<Response>, InvalidSanitiseOptions> =>
  Effect.suspend(() => {
    const made = makeLineSanitiserEither(options)
    if (made instanceof InvalidSanitiseOptions) return Effect.fail(made)
    const max = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
    return Effect.succeed((request: Request) => Effect.promise((signal) => answer(made.sanitise, max, request, [request.signal, signal])))
  })
