import { describe, expect, it } from "vitest"
import { classify, ofError } from "../../src/domain/Answer.js"
import { BadResponseError, HttpStatusError, TransportError } from "../../src/domain/ApiError.js"
import { decide, MAX_TRIES, type Attempt } from "../../src/domain/Delivery.js"
import { defaultPolicy } from "../../src/domain/Retry.js"

const POST = { success: 201, json: false } as const
const GET = { success: 200, json: true } as const
const reply = (status: number, contentType?: string, excerpt = "") => ({ status, contentType, excerpt })

describe("Answer.classify: one reading of every reply", () => {
  it("201 to a post is delivered; 200 to a GET only with a JSON body", () => {
    expect(classify(reply(201, "application/json", '{"status":"created"}'), POST)).toBe("delivered")
    expect(classify(reply(201), POST)).toBe("delivered")
    expect(classify(reply(200, "application/json", '{"a":1}'), GET)).toBe("delivered")
    expect(classify(reply(200, "text/plain", "OK"), GET)).toBe("not-api")
  })
  it("an HTML page is never the API, whatever its status; nor is a redirect", () => {
    for (const s of [200, 201, 401, 404, 500, 502]) expect(classify(reply(s, "text/html; charset=utf-8", "<html>"), POST)).toBe("not-api")
    expect(classify(reply(200, undefined, "<!DOCTYPE html><title>Login</title>"), GET)).toBe("not-api")
    for (const s of [301, 302, 303, 307, 308]) expect(classify(reply(s), POST)).toBe("not-api")
  })
  it("statuses: rejected, wrong URL, token refused, service fault", () => {
    for (const s of [400, 413, 422]) expect(classify(reply(s, "application/json"), POST)).toBe("rejected")
    for (const s of [404, 405]) expect(classify(reply(s), POST)).toBe("wrong-url")
    for (const s of [401, 403]) expect(classify(reply(s), POST)).toBe("token-refused")
    for (const s of [200, 202, 408, 409, 429, 500, 502, 503, 504]) expect(classify(reply(s, "application/json", "{}"), POST)).toBe("service-fault")
  })
  it("errors map back to the same kinds; no answer is unreachable", () => {
    expect(ofError(new TransportError({ url: "u", reason: "refused", message: "m" }))).toBe("unreachable")
    expect(ofError(new BadResponseError({ url: "u", message: "m" }))).toBe("not-api")
    expect(ofError(new HttpStatusError({ url: "u", status: 503, bodyExcerpt: "", message: "m" }))).toBe("service-fault")
    expect(ofError(new HttpStatusError({ url: "u", status: 302, bodyExcerpt: "", message: "m" }))).toBe("not-api")
  })
})

const status = (s: number, retryAfterMs?: number) => new HttpStatusError({ url: "u", status: s, retryAfterMs, bodyExcerpt: "", message: "m" })
const attempt = (a: Partial<Attempt>): Attempt => ({
  policy: "skip", retry: defaultPolicy, error: status(503), attempts: 1, timeouts: 0, earlier: 0, budgetLeftMs: 120_000, jitter: 0.5, ...a
})

describe("Delivery.decide: the policy as a value", () => {
  it("skip: a service fault gets two quick retries, then the event is skipped", () => {
    expect(decide(attempt({ attempts: 1 })).next).toBe("retry")
    expect(decide(attempt({ attempts: 2 })).next).toBe("retry")
    expect(decide(attempt({ attempts: 3 }))).toEqual({ next: "settled", as: "skipped" })
    // Tries made by earlier runs count: at most MAX_TRIES in all.
    expect(decide(attempt({ attempts: 1, earlier: MAX_TRIES - 1 }))).toEqual({ next: "settled", as: "skipped" })
    // A long Retry-After is not waited for under skip.
    expect(decide(attempt({ error: status(429, 60_000) }))).toEqual({ next: "settled", as: "skipped" })
  })
  it("at-least-once: a service fault is retried while the budget lasts, then the run stops", () => {
    expect(decide(attempt({ policy: "at-least-once", attempts: 9 })).next).toBe("retry")
    expect(decide(attempt({ policy: "at-least-once", budgetLeftMs: 10 }))).toMatchObject({ next: "stop", spent: true })
  })
  it("both: what is not the API, a wrong URL, a refused token or no answer never eat an event", () => {
    for (const policy of ["skip", "at-least-once"] as const) {
      for (const error of [new BadResponseError({ url: "u", message: "html" }), new TransportError({ url: "u", reason: "refused", message: "m" })]) {
        expect(decide(attempt({ policy, error, attempts: 5 })).next).toBe("retry")
        expect(decide(attempt({ policy, error, attempts: 5, budgetLeftMs: 0 })).next).toBe("stop")
      }
      expect(decide(attempt({ policy, error: status(404) }))).toMatchObject({ next: "stop", kind: "wrong-url" })
      expect(decide(attempt({ policy, error: status(403) }))).toMatchObject({ next: "stop", kind: "token-refused" })
      expect(decide(attempt({ policy, error: status(422) }))).toEqual({ next: "settled", as: "rejected" })
    }
  })
  it("a timed-out event is re-sent at most twice in a run", () => {
    const timeout = new TransportError({ url: "u", reason: "timeout", message: "m" })
    expect(decide(attempt({ policy: "at-least-once", error: timeout, attempts: 3, timeouts: 2 })).next).toBe("retry")
    expect(decide(attempt({ policy: "at-least-once", error: timeout, attempts: 3, timeouts: 3 }))).toMatchObject({ next: "stop" })
    expect(decide(attempt({ policy: "skip", error: timeout, attempts: 3, timeouts: 3 }))).toEqual({ next: "settled", as: "skipped" })
  })
})
