/**
 * A real telemetry sink on 127.0.0.1 for delivery tests: records what arrives and answers as each test says
 * (a status, headers, a dropped connection, or no answer at all).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo, Socket } from "node:net"

export type Reply =
  | { readonly status: number; readonly headers?: Record<string, string>; readonly body?: string | Buffer }
  | "reset"
  | "hang"

export interface Received {
  readonly method: string
  readonly path: string
  readonly headers: IncomingMessage["headers"]
  readonly body: string
}

export interface Sink {
  readonly url: string
  readonly received: Array<Received>
  /** Bodies of POST /api/v1/event that were answered 2xx. */
  readonly accepted: Array<string>
  /** TCP connections accepted so far. */
  readonly connections: number
  /** Decides each reply; `n` counts requests from 0. Default: 201 for posts, `{}` for gets. */
  reply: (r: Received, n: number) => Reply
  /**
   * Resolves once every connection is closed: whatever a client wrote before it closed its sockets has then been
   * read and handled (counted in `received`/`accepted`). Rejects after `boundMs` naming the open connections.
   */
  settled(boundMs?: number): Promise<void>
  close(): Promise<void>
}

export const startSink = async (reply?: Sink["reply"]): Promise<Sink> => {
  const sockets = new Set<Socket>()
  const waiters = new Set<() => void>()
  let n = 0
  const sink: Sink = {
    url: "",
    received: [],
    accepted: [],
    connections: 0,
    reply: reply ?? ((r) => (r.method === "POST" ? { status: 201, body: "{}" } : { status: 200, body: "{}" })),
    settled: (boundMs = 2_000) =>
      new Promise<void>((resolve, reject) => {
        if (sockets.size === 0) return resolve()
        const done = () => {
          clearTimeout(timer)
          waiters.delete(done)
          resolve()
        }
        const timer = setTimeout(() => {
          waiters.delete(done)
          reject(new Error(`sink: ${sockets.size} connections still open after ${boundMs} ms`))
        }, boundMs)
        waiters.add(done)
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      })
  }
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const r: Received = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") }
      sink.received.push(r)
      const answer = sink.reply(r, n++)
      if (answer === "reset") {
        req.socket.destroy()
        return
      }
      if (answer === "hang") return
      if (answer.status >= 200 && answer.status < 300 && r.path === "/api/v1/event") sink.accepted.push(r.body)
      res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers })
      res.end(answer.body ?? "")
    })
  }
  const server: Server = createServer({ keepAlive: true }, handle)
  server.on("connection", (s) => {
    sockets.add(s)
    ;(sink as { connections: number }).connections++
    s.on("close", () => {
      sockets.delete(s)
      if (sockets.size === 0) for (const w of [...waiters]) w()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  ;(sink as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return sink
}
