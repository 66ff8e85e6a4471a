/**
 * The status widget over HTTP (SPEC section 7, issue 7): `GET /` serves the self-contained page with its first
 * view embedded, `GET /api/status` the WidgetView as JSON, both computed by the given Effect on every request
 * (no blank page while a script fetches). Used by
 * `status --serve HOST:PORT` and `run --status-listen`. Plain node:http keeps the chunk small and start-up fast.
 *
 * Hardening: a Content-Security-Policy that allows only the page's own inline script and style (pinned by
 * hash; no 'unsafe-inline', no 'unsafe-eval') and fetches to itself; nosniff; no framing; no caching of the
 * API. When bound to a loopback address, requests whose Host header names anything but an IP literal or
 * localhost are refused, so a web site cannot read the status through DNS rebinding.
 */
import { createHash } from "node:crypto"
import * as http from "node:http"
import { isIP } from "node:net"
import { Cause, Data, Effect, Exit, Fiber, Runtime, type Scope } from "effect"
import type { WidgetView } from "../../domain/Widget.js"
import { Output } from "../../adapters/Output.js"
import { PAGE_SCRIPT, PAGE_STYLE, pageHtml } from "./page.js"
import { MIN_QUERY_REFRESH_MS } from "./pageScript.js"

export class StatusServerError extends Data.TaggedError("StatusServerError")<{
  readonly message: string
  readonly address: string
}> {}

export interface StatusServerOptions<R> {
  /** 127.0.0.1 unless told otherwise. */
  readonly host?: string
  /** 0 picks a free port; the bound one is reported. */
  readonly port: number
  /** Computes the view for each `/api/status` request. */
  readonly view: Effect.Effect<WidgetView, never, R>
  /**
   * How often the page refreshes itself (default 60 s); `?refresh=MS` on the page URL overrides it, from
   * MIN_QUERY_REFRESH_MS up (a lower one is refused: each refresh may ask the telemetry service).
   */
  readonly refreshMs?: number
}

export interface BoundAddress {
  readonly host: string
  readonly port: number
  /** http://HOST:PORT/ with IPv6 hosts in brackets. */
  readonly url: string
}

const hash = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`

/** The page's policy: its own inline script and style only, fetches to its own origin, nothing else. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src ${hash(PAGE_SCRIPT)}`,
  `style-src ${hash(PAGE_STYLE)}`,
  "connect-src 'self'",
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'"
].join("; ")

const COMMON_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cache-control": "no-store"
}

export const formatAddress = (host: string, port: number): string =>
  `http://${isIP(host) === 6 ? `[${host}]` : host}:${port}`

const isLoopback = (host: string) =>
  host === "localhost" || host === "::1" || host.startsWith("127.") || host === "::ffff:127.0.0.1"

/** Host header check against DNS rebinding: on loopback only IP literals and localhost are accepted. */
const hostAllowed = (header: string | undefined, boundHost: string): boolean => {
  if (!isLoopback(boundHost)) return true
  if (header === undefined) return true // HTTP/1.0 clients; no browser omits it
  const name = header.startsWith("[") ? header.slice(1, header.indexOf("]")) : header.replace(/:\d*$/, "")
  const lower = name.toLowerCase()
  return isIP(lower) !== 0 || lower === "localhost" || lower.endsWith(".localhost")
}

const send = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string
) => {
  const bytes = Buffer.from(body, "utf8")
  res.writeHead(status, { ...COMMON_HEADERS, ...headers, "content-length": String(bytes.length) })
  res.end(req.method === "HEAD" ? undefined : bytes)
}

const text = (req: http.IncomingMessage, res: http.ServerResponse, status: number, body: string, extra = {}) =>
  send(req, res, status, { "content-type": "text/plain; charset=utf-8", ...extra }, `${body}\n`)

/**
 * Starts the server in the current scope (closing the scope stops it and drops open connections) and returns
 * the bound address. Tests use this; commands use `serveStatus`.
 */
export const startStatusServer = <R>(
  opts: StatusServerOptions<R>
): Effect.Effect<BoundAddress, StatusServerError, R | Scope.Scope> =>
  Effect.gen(function* () {
    const host = opts.host ?? "127.0.0.1"
    const runtime = yield* Effect.runtime<R>()
    const runFork = Runtime.runFork(runtime)
    // Views being computed; interrupted when their client goes away or the server stops.
    const running = new Set<Fiber.RuntimeFiber<WidgetView, never>>()

    const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
      if (!hostAllowed(req.headers.host, host)) return text(req, res, 403, "forbidden: unexpected Host header")
      const [path, query] = (req.url ?? "/").split("?")
      const route = path === "/" || path === "/index.html" ? "page" : path === "/api/status" ? "api" : path === "/favicon.ico" ? "icon" : undefined
      if (route === undefined) return text(req, res, 404, "not found")
      if (req.method !== "GET" && req.method !== "HEAD") return text(req, res, 405, "method not allowed", { allow: "GET, HEAD" })
      if (route === "icon") {
        res.writeHead(204, COMMON_HEADERS)
        return res.end()
      }
      if (route === "page") {
        const refresh = new URLSearchParams(query ?? "").get("refresh")
        if (refresh !== null && !(Number(refresh) >= MIN_QUERY_REFRESH_MS)) {
          return text(req, res, 400, `refresh must be a number of milliseconds, at least ${MIN_QUERY_REFRESH_MS}`)
        }
      }
      const fiber = runFork(opts.view)
      running.add(fiber)
      const onClose = () => {
        if (!res.writableFinished) fiber.unsafeInterruptAsFork(fiber.id())
      }
      res.once("close", onClose)
      fiber.addObserver((exit) => {
        running.delete(fiber)
        res.off("close", onClose)
        if (res.destroyed || res.headersSent) return
        if (route === "page") {
          // Without a view (it could not be computed) the page fetches one itself and says what went wrong.
          return send(req, res, 200, {
            "content-type": "text/html; charset=utf-8",
            "content-security-policy": CONTENT_SECURITY_POLICY
          }, pageHtml(opts.refreshMs, Exit.isSuccess(exit) ? exit.value : undefined))
        }
        if (Exit.isSuccess(exit)) {
          send(req, res, 200, { "content-type": "application/json; charset=utf-8" }, JSON.stringify(exit.value))
        } else {
          // The page shows this as "cannot reach the status API (HTTP 500)"; details stay out of the response.
          const interrupted = Cause.isInterruptedOnly(exit.cause)
          send(req, res, interrupted ? 503 : 500, { "content-type": "application/json; charset=utf-8" },
            JSON.stringify({ error: interrupted ? "shutting down" : "the status could not be computed" }))
        }
      })
    }

    const server = http.createServer(handle)
    server.keepAliveTimeout = 5_000
    server.headersTimeout = 10_000
    server.requestTimeout = 30_000

    const where = formatAddress(host, opts.port)
    const port = yield* Effect.acquireRelease(
      Effect.async<number, StatusServerError>((resume) => {
        const onError = (e: NodeJS.ErrnoException) =>
          resume(Effect.fail(new StatusServerError({
            message: `cannot listen on ${where}: ${e.code ?? e.message}${e.code === "EADDRINUSE" ? " (address already in use)" : ""}`,
            address: where
          })))
        server.once("error", onError)
        server.listen(opts.port, host, () => {
          server.off("error", onError)
          const a = server.address()
          resume(Effect.succeed(typeof a === "object" && a !== null ? a.port : opts.port))
        })
      }),
      () =>
        Effect.zipRight(
          Effect.suspend(() => Fiber.interruptAll(Array.from(running))),
          Effect.async<void>((resume) => {
            server.close(() => resume(Effect.void))
            // Browsers keep connections alive; drop them so the port is free and clients see the server gone.
            server.closeAllConnections()
          })
        )
    )
    return { host, port, url: `${formatAddress(host, port)}/` }
  })

/**
 * `status --serve` / `run --status-listen`: starts the server, prints `listening on http://HOST:PORT` (the real
 * port when 0 was asked for) and serves until interrupted.
 */
export const serveStatus = <R>(
  opts: StatusServerOptions<R> & { readonly host: string }
): Effect.Effect<never, StatusServerError, R | Output> =>
  Effect.scoped(
    Effect.gen(function* () {
      const bound = yield* startStatusServer(opts)
      const out = yield* Output
      yield* out.out(`listening on ${formatAddress(bound.host, bound.port)}\n`)
      return yield* Effect.never
    })
  )

/** Re-exported: the tests and `run` know it from here. */
export { parseListenAddress } from "../../domain/ListenAddress.js"
