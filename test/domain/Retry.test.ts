import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"
import { BadResponseError, HttpStatusError, TransportError } from "../../src/domain/ApiError.js"
import { formatSpan } from "../../src/domain/Duration.js"
import { backoffMs, classify, defaultPolicy, parseRetryAfter, RetryBudget, retryWaitLine, schedule } from "../../src/domain/Retry.js"

const status = (s: number, retryAfterMs?: number) =>
  new HttpStatusError({ url: "u", status: s, retryAfterMs, bodyExcerpt: "", message: `HTTP ${s}` })
const transport = new TransportError({ url: "u", reason: "reset", message: "reset" })

describe("classify", () => {
  it("retries service faults (network, 408, 429, 5xx, other 2xx, 3xx, other 4xx); stops on 401/403; rejects only on 400/413/422", () => {
    expect(classify(transport)).toBe("retry")
    expect(classify(new BadResponseError({ url: "u", message: "x" }))).toBe("retry")
    for (const s of [408, 429, 500, 502, 503, 504]) expect(classify(status(s))).toBe("retry")
    // 201 is the only success: a captive portal's 200, a 204, a redirect are not deliveries (issue 15 row 10).
    for (const s of [200, 202, 204, 301, 302, 307, 409, 410, 418]) expect(classify(status(s))).toBe("retry")
    for (const s of [401, 403]) expect(classify(status(s))).toBe("refused")
    for (const s of [400, 413, 422]) expect(classify(status(s))).toBe("reject")
    for (const s of [404, 405]) expect(classify(status(s))).toBe("misrouted")
  })
})

describe("parseRetryAfter", () => {
  it("takes delta seconds and HTTP dates", () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0)
    expect(parseRetryAfter("7", now)).toBe(7000)
    expect(parseRetryAfter(" 0 ", now)).toBe(0)
    expect(parseRetryAfter("Thu, 01 Jan 2026 12:00:30 GMT", now)).toBe(30_000)
    expect(parseRetryAfter("Thu, 01 Jan 2026 11:00:00 GMT", now)).toBe(0)
    expect(parseRetryAfter("soon", now)).toBeUndefined()
    expect(parseRetryAfter("-5", now)).toBeUndefined()
    expect(parseRetryAfter(undefined, now)).toBeUndefined()
  })
})

describe("RetryBudget", () => {
  it("counts wall time in trouble, across trouble periods, not the time between them", () => {
    const b = new RetryBudget(10_000)
    b.failed(0)
    b.failed(2000) // still the same period
    b.succeeded(4000)
    expect(b.used(100_000)).toBe(4000)
    b.failed(100_000)
    expect(b.used(103_000)).toBe(7000)
    expect(b.allows(103_000, 3000)).toBe(true)
    expect(b.allows(103_000, 3001)).toBe(false)
  })
})

/** Runs `attempt` under the schedule on the TestClock; returns the waits and the number of attempts. */
const drive = (fail: (n: number) => Parameters<typeof classify>[0] | undefined) =>
  Effect.gen(function* () {
    const waits: Array<number> = []
    let attempts = 0
    const budget = new RetryBudget(defaultPolicy.budgetMs)
    const attempt = Effect.suspend(() => {
      const e = fail(attempts++)
      return e === undefined ? Effect.void : Effect.fail(e)
    })
    const fiber = yield* Effect.fork(
      Effect.either(Effect.retry(attempt, schedule({ budget, beforeWait: (ms) => Effect.sync(() => void waits.push(ms)) })))
    )
    yield* TestClock.adjust("1 hour")
    const result = yield* Fiber.join(fiber)
    return { waits, attempts, result }
  })

describe("schedule", () => {
  it.effect("backs off exponentially from 0.5 s with jitter, capped at 30 s, within a 2 min budget", () =>
    Effect.gen(function* () {
      const { waits, attempts, result } = yield* drive(() => status(503))
      expect(result._tag).toBe("Left")
      expect(attempts).toBe(waits.length + 1)
      waits.forEach((w, n) => {
        const base = backoffMs(defaultPolicy, n)
        expect(w).toBeGreaterThanOrEqual(Math.min(30_000, base * 0.8))
        expect(w).toBeLessThanOrEqual(Math.min(30_000, base * 1.2))
      })
      expect(waits.some((w) => w === 30_000)).toBe(true)
      const total = waits.reduce((a, b) => a + b, 0)
      expect(total).toBeLessThanOrEqual(120_000)
      // Stopped because the next wait would overdraw the budget, not earlier.
      expect(total + 30_000 * 0.8).toBeGreaterThan(120_000 - 30_000)
    })
  )

  it.effect("honours Retry-After when it asks for longer", () =>
    Effect.gen(function* () {
      const { waits, result } = yield* drive((n) => (n === 0 ? status(429, 45_000) : undefined))
      expect(result._tag).toBe("Right")
      expect(waits).toEqual([45_000])
    })
  )

  it.effect("does not retry a refused token, a rejected event or a wrong URL", () =>
    Effect.gen(function* () {
      for (const s of [401, 403, 400, 404]) {
        const { waits, attempts } = yield* drive(() => status(s))
        expect(attempts).toBe(1)
        expect(waits).toEqual([])
      }
    })
  )

  it.effect("recovers after transient failures", () =>
    Effect.gen(function* () {
      const { attempts, result } = yield* drive((n) => (n < 3 ? transport : undefined))
      expect(result._tag).toBe("Right")
      expect(attempts).toBe(4)
    })
  )
})

describe("retry progress", () => {
  it("words a wait as the operator reads it", () => {
    expect(retryWaitLine({ delayMs: 4000, attempt: 3, remainingMs: 100_000 })).toBe("retrying in 4 s (attempt 3), giving up in 1m 40s")
    expect(retryWaitLine({ delayMs: 640, attempt: 2, remainingMs: 119_500 })).toBe("retrying in 0.6 s (attempt 2), giving up in 2m")
    expect(formatSpan(92_000)).toBe("1m 32s")
    expect(formatSpan(3_900_000)).toBe("1h 5m")
  })

  it.effect("each wait is said once, under the TestClock: attempts count up, the time left counts down", () =>
    Effect.gen(function* () {
      const said: Array<string> = []
      const budget = new RetryBudget(defaultPolicy.budgetMs)
      const fiber = yield* Effect.fork(
        Effect.either(
          Effect.retry(
            Effect.fail(status(503)),
            schedule({ budget, beforeWait: (_ms, _e, w) => Effect.sync(() => void said.push(retryWaitLine(w))) })
          )
        )
      )
      yield* TestClock.adjust("1 hour")
      yield* Fiber.join(fiber)
      expect(said.length).toBeGreaterThan(4)
      said.forEach((l, i) => expect(l).toMatch(new RegExp(`^retrying in [0-9.]+ s \\(attempt ${i + 2}\\), giving up in `)))
      expect(said[0]).toMatch(/giving up in 2m$/)
      // The waits said add up to no more than the 2 min budget.
      const waited = said.map((l) => Number(/in ([0-9.]+) s/.exec(l)![1]))
      expect(waited.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(121)
    })
  )
})
