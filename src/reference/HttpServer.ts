/**
 * A small HTTP server on node:http for the reference service: reads each request body up to a limit (413
 * beyond it, before reading further), hands a plain request to a handler and writes its response. Routing
 * and everything else live in Api.ts; this module only knows HTTP. Listening is a scoped resource: the
 * server and its keep-alive connections close with the scope.
 */
import { Data, Effect } from "effect"
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

export class ListenError extends Data.TaggedError("ListenError")<{
  readonly address: string
  readonly message: string
}> {}

export interface Request {
  readonly method: string
  /** Path without the query string. */
  readonly path: string
  readonly query: URLSearchParams
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
}

export interface Response {
  readonly status: number
  readonly headers?: Record<string, string>
  readonly body?: string | Uint8Array
}

export const json = (status: number, value: unknown): Response => ({
  status,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(value)
})

export interface ServeOptions {
  readonly host: string
  readonly port: number
  readonly bodyLimit: number
  readonly handle: (req: Request) => Promise<Response>
}

export interface Listening {
  readonly host: string
  readonly port: number
  readonly url: string
}

const send = (res: ServerResponse, r: Response, close = false) => {
  const headers: Record<string, string | number> = { ...r.headers }
  const body = r.body ?? ""
  headers["content-length"] = typeof body === "string" ? Buffer.byteLength(body) : body.byteLength
  if (close) headers.connection = "close"
  res.writeHead(r.status, headers)
  res.end(body)
}

const tooLarge = (limit: number) => json(413, { error: `request body over ${limit} bytes` })

export const serve = (opts: ServeOptions) =>
  Effect.acquireRelease(
    Effect.async<{ listening: Listening; close: () => Promise<void> }, ListenError>((resume) => {
      const server = createServer((req, res) => {
        const declared = Number(req.headers["content-length"] ?? "0")
        if (declared > opts.bodyLimit) {
          // Answer without reading the body, then drop the connection (what is left of it is unread).
          send(res, tooLarge(opts.bodyLimit), true)
          req.resume()
          return
        }
        const chunks: Array<Buffer> = []
        let size = 0
        let over = false
        req.on("data", (c: Buffer) => {
          if (over) return
          size += c.length
          if (size > opts.bodyLimit) {
            over = true
            chunks.length = 0
            send(res, tooLarge(opts.bodyLimit), true)
            return
          }
          chunks.push(c)
        })
        req.on("end", () => {
          if (over) return
          const raw = req.url ?? "/"
          const q = raw.indexOf("?")
          const request: Request = {
            method: req.method ?? "GET",
            path: q < 0 ? raw : raw.slice(0, q),
            query: new URLSearchParams(q < 0 ? "" : raw.slice(q + 1)),
            headers: req.headers,
            body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
          }
          opts.handle(request).then(
            (r) => send(res, r),
            () => send(res, json(500, { error: "internal error" }))
          )
        })
        req.on("error", () => res.destroy())
      })
      server.keepAliveTimeout = 30_000
      const onError = (e: NodeJS.ErrnoException) => {
        const address = `${opts.host}:${opts.port}`
        const why = e.code === "EADDRINUSE" ? "address already in use" : e.code ?? e.message
        resume(Effect.fail(new ListenError({ address, message: `cannot listen on ${address}: ${why}` })))
      }
      server.once("error", onError)
      server.listen(opts.port, opts.host, () => {
        server.off("error", onError)
        const a = server.address() as AddressInfo
        const host = a.family === "IPv6" ? `[${a.address}]` : a.address
        resume(
          Effect.succeed({
            listening: { host: a.address, port: a.port, url: `http://${host}:${a.port}` },
            close: () =>
              new Promise<void>((done) => {
                server.close(() => done())
                server.closeAllConnections()
              })
          })
        )
      })
    }),
    (s) => Effect.promise(() => s.close())
  ).pipe(Effect.map((s) => s.listening))
