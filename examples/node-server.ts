/**
 * examples/serverless-handler.ts on Node: a node:http server that turns each request into a Web `Request`
 * (the body streamed, not buffered) and writes the `Response` back. `PORT=8787 npx tsx examples/node-server.ts`,
 * then `curl -sD- -H 'content-type: application/x-ndjson' --data-binary @fixtures/sample/eve.json localhost:8787/eve`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import { Readable } from "node:stream"
import type { ReadableStream as NodeReadableStream } from "node:stream/web"
import { pathToFileURL } from "node:url"
import app from "./serverless-handler.js"

const toRequest = (req: IncomingMessage): Request => {
  const headers = new Headers()
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(", ") : v)
  const body = req.method === "GET" || req.method === "HEAD" ? null : (Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>)
  return new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, {
    method: req.method ?? "GET",
    headers,
    body,
    duplex: "half"
  } as RequestInit)
}

const send = (res: ServerResponse, r: Response): void => {
  res.statusCode = r.status
  r.headers.forEach((value, name) => res.setHeader(name, value))
  if (r.body === null) res.end()
  else Readable.fromWeb(r.body as unknown as NodeReadableStream<Uint8Array>).pipe(res)
}

/** Serves a fetch handler on `port` (0: any free port). */
export const serve = (fetch: (request: Request) => Promise<Response>, port: number): Server =>
  createServer((req, res) => {
    fetch(toRequest(req)).then(
      (r) => send(res, r),
      () => {
        res.statusCode = 500
        res.end()
      }
    )
  }).listen(port)

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const server = serve(app.fetch, Number(process.env.PORT ?? 8787))
  server.on("listening", () => console.log(`POST NDJSON eve lines to http://localhost:${(server.address() as { port: number }).port}/eve`))
}
