/**
 * What a reply from the telemetry service means (SPEC section 5), decided once for every call (events,
 * heartbeat, sensor info, rules) from its status, a few headers and the start of its body. Pure: the
 * transport (src/adapters/HttpTransport.ts) reads the reply, the delivery policy (./Delivery.ts) and the
 * programs act on the kind.
 *
 * - `delivered`: the API's own success status (201 for the posts, 200 for the GETs), not an HTML page, and
 *   JSON where JSON is expected;
 * - `rejected`: 400/413/422, this one request is refused (an event is passed, never sent again);
 * - `wrong-url`: 404/405, no such endpoint here (a wrong `--base-url`);
 * - `token-refused`: 401/403;
 * - `not-api`: what answered is not the API: an HTML page (a captive portal, a proxy's error page, whatever
 *   the status), a redirect, a success that is not JSON where JSON is expected;
 * - `service-fault`: the API is there but failed this request: 5xx, 429, 408, any other status;
 * - `unreachable`: no answer at all (the transport's failures; see `ofError`).
 */
import type { ApiError } from "./ApiError.js"

export type AnswerKind = "delivered" | "rejected" | "wrong-url" | "token-refused" | "not-api" | "service-fault" | "unreachable"

export interface Reply {
  readonly status: number
  /** The `content-type` header, if any. */
  readonly contentType: string | undefined
  /** The first bytes of the body, as text (a few KiB at most). */
  readonly excerpt: string
}

export interface Expectation {
  /** The API's success status for this call: 201 for the posts, 200 for the GETs. */
  readonly success: 200 | 201
  /** Whether a success must be a JSON document (the GETs); the posts' bodies are not read for meaning. */
  readonly json: boolean
}

const REJECTS: ReadonlyArray<number> = [400, 413, 422]

/** An HTML page by its content type (a body that only looks like one is judged by the status and the JSON check). */
export const isHtml = (contentType: string | undefined): boolean => /^\s*(text\/html|application\/xhtml)/i.test(contentType ?? "")

/** Whether a body's start looks like a JSON document (an object or array; the API answers nothing else). */
const looksJson = (excerpt: string): boolean => /^\s*[[{]/.test(excerpt)

/** The kind of one reply (an HTTP answer was received). */
export const classify = (reply: Reply, expect: Expectation): AnswerKind => {
  const { status } = reply
  if (isHtml(reply.contentType)) return "not-api"
  if (status >= 300 && status < 400) return "not-api"
  if (status === expect.success) return expect.json && !looksJson(reply.excerpt) ? "not-api" : "delivered"
  if (status === 401 || status === 403) return "token-refused"
  if (status === 404 || status === 405) return "wrong-url"
  if (REJECTS.includes(status)) return "rejected"
  return "service-fault"
}

/**
 * The kind behind an error the adapters made: the transport's failures are `unreachable`; an answer that is
 * not the API's (a BadResponseError) is `not-api`; a status is classified as above.
 */
export const ofError = (e: ApiError): AnswerKind => {
  switch (e._tag) {
    case "TransportError":
      return "unreachable"
    case "BadResponseError":
      return "not-api"
    case "HttpStatusError":
      if (e.status >= 300 && e.status < 400) return "not-api"
      if (e.status === 401 || e.status === 403) return "token-refused"
      if (e.status === 404 || e.status === 405) return "wrong-url"
      if (REJECTS.includes(e.status)) return "rejected"
      return "service-fault"
  }
}

/** Words for a kind, in the operator's messages. */
export const WHAT: Record<Exclude<AnswerKind, "delivered">, string> = {
  rejected: "the service rejected the request",
  "wrong-url": "no telemetry API at that URL",
  "token-refused": "the service refused the token",
  "not-api": "what answered is not the telemetry API",
  "service-fault": "the service failed the request",
  unreachable: "the service could not be reached"
}
