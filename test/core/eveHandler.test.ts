/**
 * `eveHandler` from `etpro-telemetry/core` with real `Request` objects (Node's own, as Workers, Deno and
 * Bun give them): the sample eve.json in one piece and cut anywhere (inside UTF-8 characters too), and the
 * bodies it must refuse: the wrong method or type, bad UTF-8, too large (announced, or only found reading).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, FastCheck as fc } from "effect"
import { eveHandler, eveHandlerEffect, sanitiseLine, SUMMARY_HEADERS } from "etpro-telemetry/core"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { REPO } from "../support/BuiltCli.js"

const FIXTURE = readFileSync(join(REPO, "fixtures/sample/eve.json"))
const HOME = ["192.168.0.0/16", "2001:db8::/32"]
const URL_ = "https://collector.example/eve"

/** A body delivered in the given pieces, counting what was pulled and whether the reader cancelled it. */
const streamOf = (pieces: ReadonlyArray<Uint8Array>) => {
  const seen = { pulled: 0, cancelled: false }
  let i = 0
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (i < pieces.length) {
        seen.pulled++
        c.enqueue(pieces[i++]!)
      } else c.close()
    },
    cancel() {
      seen.cancelled = true
    }
  })
  return { body, seen }
}

const post = (body: BodyInit | null, headers: Record<string, string> = { "content-type": "application/x-ndjson" }) =>
  new Request(URL_, { method: "POST", headers, body, duplex: "half" } as RequestInit)

const expected = (text: string) => {
  const lines = text.split("\n").map((l) => l.replace(/\r$/, "")).filter((l) => l !== "")
  const results = lines.map((l) => sanitiseLine(l, { homeNet: HOME }))
  const events = results.flatMap((r) => (r.kind === "event" ? [r.body] : []))
  return { lines: lines.length, events, skipped: lines.length - events.length }
}

const errorOf = async (r: Response) => {
  expect(r.headers.get("content-type")).toMatch(/^application\/json/)
  return (await r.json()) as { error: string; message: string }
}

describe("eveHandler", () => {
  const handle = eveHandler({ homeNet: HOME })

  it("answers 200 with the sanitised events as NDJSON and how many lines it read and skipped", async () => {
    const r = await handle(post(FIXTURE))
    expect(r.status).toBe(200)
    expect(r.headers.get("content-type")).toMatch(/^application\/x-ndjson/)
    const want = expected(FIXTURE.toString("utf8"))
    expect(want.events.length).toBeGreaterThan(50)
    expect((await r.text()).split("\n")).toEqual([...want.events, ""])
    expect(r.headers.get(SUMMARY_HEADERS.lines)).toBe(String(want.lines))
    expect(r.headers.get(SUMMARY_HEADERS.events)).toBe(String(want.events.length))
    expect(r.headers.get(SUMMARY_HEADERS.skipped)).toBe(String(want.skipped))
    expect(r.headers.get("x-etpro-skipped-reasons")).toMatch(/not-alert=\d+/)
  })

  it("gives the same answer however the body is cut, inside UTF-8 characters too; CRLF and an unterminated last line read", async () => {
    const text = `${FIXTURE.toString("utf8").split("\n").slice(0, 40).join("\r\n")}\r\n${JSON.stringify({
      timestamp: "2026-11-27T10:00:00Z", event_type: "alert", src_ip: "192.168.7.7", dest_ip: "93.184.216.34", direction: "to_server", alert: { signature_id: 1 }, tls: { subject: "CN=Zürich ✓ 192.168.7.7" }
    })}`
    const bytes = new TextEncoder().encode(text)
    const whole = await (await handle(post(bytes))).text()
    expect(whole).toContain("CN=Zürich ✓ xxx.xxx.xxx.7")
    expect(whole.split("\n").slice(0, -1)).toEqual(expected(text).events)
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }), async (cuts) => {
        const at = [0, ...cuts.sort((a, b) => a - b), bytes.length]
        const pieces = at.slice(1).map((end, i) => bytes.subarray(at[i]!, end))
        const r = await handle(post(streamOf(pieces).body))
        expect(r.status).toBe(200)
        expect(await r.text()).toBe(whole)
      }),
      { numRuns: 40 }
    )
  })

  it("can be given as it is to a runtime that passes more than the request (Workers' env and ctx, Bun's server)", async () => {
    const workersFetch: (request: Request, env: unknown, ctx: unknown) => Promise<Response> = handle
    const r = await workersFetch(post(FIXTURE), { HOME_NET: "x" }, { waitUntil: () => undefined })
    expect(r.status).toBe(200)
  })

  it("a compressed body: 400, a JSON error naming the encoding", async () => {
    const r = await handle(post(FIXTURE, { "content-type": "application/x-ndjson", "content-encoding": "gzip" }))
    expect(r.status).toBe(400)
    expect(await errorOf(r)).toEqual({ error: "bad-content-encoding", message: expect.stringContaining("gzip") })
  })

  it("an empty body: 200, nothing read", async () => {
    const r = await handle(post(""))
    expect(r.status).toBe(200)
    expect(await r.text()).toBe("")
    expect(r.headers.get(SUMMARY_HEADERS.lines)).toBe("0")
  })

  it("another method: 405, Allow: POST, a JSON error", async () => {
    const r = await handle(new Request(URL_))
    expect(r.status).toBe(405)
    expect(r.headers.get("allow")).toBe("POST")
    expect((await errorOf(r)).error).toBe("method-not-allowed")
  })

  it("a body that is not newline-delimited JSON, or not UTF-8 by its charset: 400, a JSON error", async () => {
    for (const headers of [{}, { "content-type": "text/html" }, { "content-type": "application/x-ndjson; charset=iso-8859-1" }]) {
      const r = await handle(post(FIXTURE, headers))
      expect(r.status).toBe(400)
      expect((await errorOf(r)).error).toBe("bad-content-type")
    }
    // What Fluent Bit's json_lines and curl --data-binary with a type send is accepted.
    expect((await handle(post(FIXTURE, { "content-type": "application/json" }))).status).toBe(200)
  })

  it("bytes that are not UTF-8, in a line or cut off at the end: 400, a JSON error", async () => {
    const good = new TextEncoder().encode('{"event_type":"dns"}\n')
    for (const bad of [Uint8Array.of(...good, 0xc3, 0x28, 10), Uint8Array.of(...good, 0xe2, 0x9c)]) {
      const r = await handle(post(bad))
      expect(r.status).toBe(400)
      expect((await errorOf(r)).error).toBe("not-utf-8")
    }
  })

  it("too large by its Content-Length: 413 before reading", async () => {
    const small = eveHandler({ homeNet: HOME, maxBodyBytes: 1000 })
    const { body, seen } = streamOf([new Uint8Array(600), new Uint8Array(600)])
    const r = await small(post(body, { "content-type": "application/x-ndjson", "content-length": "1200" }))
    expect(r.status).toBe(413)
    expect((await errorOf(r)).error).toBe("body-too-large")
    expect(seen.pulled).toBeLessThanOrEqual(1)
  })

  it("too large only found reading (no Content-Length): 413, and the rest is never pulled", async () => {
    const small = eveHandler({ homeNet: HOME, maxBodyBytes: 1000 })
    const chunk = new TextEncoder().encode(`${'{"event_type":"dns"}\n'.repeat(10)}`)
    const { body, seen } = streamOf(Array.from({ length: 100 }, () => chunk))
    const r = await small(post(body))
    expect(r.status).toBe(413)
    expect((await errorOf(r)).error).toBe("body-too-large")
    expect(seen.cancelled).toBe(true)
    // 1000 bytes are 5 chunks of 210: the sixth passes the cap; a little read-ahead, never the whole body.
    expect(seen.pulled).toBeLessThan(10)
  })

  it("options it cannot understand throw when the handler is made, not at the first request", () => {
    expect(() => eveHandler({ homeNet: ["10.0.0.0/8", "10.0.0.0/99"] })).toThrow(/homeNet/)
  })
})

describe("eveHandlerEffect", () => {
  it.effect("answers as the plain handler", () =>
    Effect.gen(function* () {
      const handle = yield* eveHandlerEffect({ homeNet: HOME })
      const r = yield* handle(post(FIXTURE))
      expect(r.status).toBe(200)
      expect(yield* Effect.promise(() => r.text())).toBe(yield* Effect.promise(async () => (await eveHandler({ homeNet: HOME })(post(FIXTURE))).text()))
    }))

  it.live("interrupted, it stops reading the body", () =>
    Effect.gen(function* () {
      const handle = yield* eveHandlerEffect({ homeNet: HOME })
      // A body that never ends: only interruption finishes this request.
      let cancelled = false
      const body = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => undefined), cancel: () => void (cancelled = true) })
      const fiber = yield* Effect.fork(handle(post(body)))
      yield* Effect.sleep("20 millis")
      yield* Fiber.interrupt(fiber)
      expect(cancelled).toBe(true)
    }))
})
