/** `status`: the widget from a live answer, or from the last good one when the service cannot be reached. */
import { afterEach, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { emptyState } from "../../../src/domain/AgentState.js"
import type { WidgetView } from "../../../src/domain/Widget.js"
import { statusProgram, widgetOnly } from "../../../src/main/programs/Status.js"
import { type AgentEnv, agentEnv, captured, TOKEN, withApi } from "../../support/AgentEnv.js"
import { type Reply, type Sink, startSink } from "../../support/TelemetrySink.js"

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((f) => f()))
})

const setup = (reply: (n: number) => Reply) =>
  Effect.promise(async () => {
    const env = await agentEnv()
    const sink = await startSink((_r, n) => reply(n))
    cleanups.push(env.cleanup, () => sink.close())
    return { env, sink }
  })

const HOUR = 3_600_000
const iso = (t: number) => new Date(t).toISOString()

const info = (status: string) => {
  const now = Date.now()
  return {
    status: 200,
    body: JSON.stringify({
      sensor_status: status.toLowerCase(), // the wire is lower case; displays stay upper
      created: iso(now - 30 * 24 * HOUR),
      event_received: iso(now - HOUR),
      last_heartbeat: iso(now - HOUR / 2),
      last_rule_download: iso(now - 5 * HOUR),
      disable_date: iso(now - HOUR + 5 * 24 * HOUR)
    })
  }
}

const run = (env: AgentEnv, sink: Sink, json: boolean, timeoutMs = 2000) =>
  Effect.gen(function* () {
    const { view } = yield* statusProgram({ baseUrl: sink.url, insecure: false, timeoutMs, configPath: env.configPath, json })
    const out = yield* captured
    return { view, stdout: out.stdout.join(""), stderr: out.stderr.join("\n") }
  }).pipe(Effect.provide(withApi(env, sink.url, timeoutMs)))

describe("status", () => {
  it.live("asks the service, records the answer, prints the table", () =>
    Effect.gen(function* () {
      const { env, sink } = yield* setup(() => info("ACTIVE"))
      const { view, stdout } = yield* run(env, sink, false)
      expect(view.status).toBe("ACTIVE")
      expect(view.stale).toBeNull()
      expect(stdout).toMatch(/^ET Pro Telemetry: license\n  status +ACTIVE\n  ruleset served +ET Pro\n/)
      expect(stdout).toMatch(/next +DORMANT on .* unless a heartbeat is received/)
      expect(stdout).not.toContain("advice:")
      expect(sink.received[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`)
      const state = yield* Effect.promise(() => env.readState())
      expect(state?.lastSensorInfo?.result.sensor_status).toBe("active")
    })
  )

  it.live("--json prints the WidgetView, one line", () =>
    Effect.gen(function* () {
      const { env, sink } = yield* setup(() => info("DISABLED"))
      const { view, stdout } = yield* run(env, sink, true)
      expect(stdout.trimEnd()).not.toContain("\n")
      const printed = JSON.parse(stdout) as WidgetView
      expect(printed).toEqual(JSON.parse(JSON.stringify(view)))
      expect(printed.status).toBe("DISABLED")
      expect(printed.ruleset).toBe("ET Open")
      expect(printed.advice).toMatch(/ET Open/)
    })
  )

  it.live("service down after a good answer: UNREACHABLE, with the last good answer as last known and its age", () =>
    Effect.gen(function* () {
      const { env, sink } = yield* setup((n) => (n === 0 ? info("DORMANT") : { status: 502, body: "bad gateway" }))
      yield* run(env, sink, false)
      const fresh = yield* Effect.promise(() => env.readState())
      const { view, stdout } = yield* run(env, sink, false)
      expect(view.status).toBe("unreachable")
      expect(view.ruleset).toBeNull()
      expect(view.reason).toMatch(/^HTTP 502 .*bad gateway/)
      expect(view.lastKnown).toEqual({ status: "DORMANT", ruleset: "ET Pro", at: iso(fresh!.lastSensorInfo!.at) })
      expect(view.stale?.reason).toMatch(/^HTTP 502 .*bad gateway/)
      expect(view.checkedAt).toBe(iso(fresh!.lastSensorInfo!.at))
      expect(stdout).toMatch(/status +UNREACHABLE \(HTTP 502/)
      expect(stdout).toMatch(/last known +DORMANT \(ET Pro served\), from .* UTC \(\d+ s ago\)/)
      expect(stdout).toMatch(/advice: The telemetry service cannot be reached: HTTP 502.*Last known status DORMANT/)
      expect(stdout).not.toContain("`")
      // Recorded: the failure as the last answer, the good one kept for the next fallback.
      const state = yield* Effect.promise(() => env.readState())
      expect(state?.lastSensorInfo?.result.status).toBe("failed")
      expect(state?.lastSensorInfoOk?.result.sensor_status).toBe("dormant")
      // Still down on the next run: asked again, still unreachable, still the same last known answer.
      const again = yield* run(env, sink, true)
      expect(again.view.status).toBe("unreachable")
      expect(again.view.lastKnown?.status).toBe("DORMANT")
      expect(sink.received).toHaveLength(3)
    })
  )

  it.live("never reached at all: UNREACHABLE with nothing last known, and --check says UNKNOWN (3)", () =>
    Effect.gen(function* () {
      const { env, sink } = yield* setup(() => "reset")
      const { view, stdout } = yield* Effect.gen(function* () {
        const r = yield* statusProgram({
          baseUrl: sink.url, insecure: false, timeoutMs: 2000, configPath: env.configPath, json: false,
          check: { unreachableAfterMs: 3_600_000 }
        })
        expect(r.code).toBe(3)
        return { view: r.view, stdout: (yield* captured).stdout.join("") }
      }).pipe(Effect.provide(withApi(env, sink.url)))
      expect(view.status).toBe("unreachable")
      expect(view.lastKnown).toBeNull()
      expect(stdout).toMatch(/^ETPRO TELEMETRY UNKNOWN - UNREACHABLE: the service cannot be reached \(.*\); no license status received yet \|/)
    })
  )

  it.live("a 4xx is an answer, not an outage: shown as failed with the token hint", () =>
    Effect.gen(function* () {
      const { env, sink } = yield* setup((n) => (n === 0 ? info("ACTIVE") : { status: 403, body: "forbidden" }))
      yield* run(env, sink, false)
      const { view, stdout } = yield* run(env, sink, false)
      expect(view.status).toBe("failed")
      expect(view.stale).toBeNull()
      expect(view.advice).toContain("leading/trailing spaces")
      expect(stdout).toMatch(/advice: The license status could not be fetched: HTTP 403/)
    })
  )

  it.live("no token: unconfigured, with where to put it; no fallback to an old answer", () =>
    Effect.gen(function* () {
      const { env, sink } = yield* setup(() => info("ACTIVE"))
      yield* run(env, sink, false)
      yield* Effect.promise(() => env.setToken(undefined))
      const { view } = yield* run(env, sink, false)
      expect(view.status).toBe("unconfigured")
      expect(view.advice).toContain(env.configPath)
      expect(sink.received).toHaveLength(1)
    })
  )

  it.live("an unknown status from the service is shown as unknown", () =>
    Effect.gen(function* () {
      const { env, sink } = yield* setup(() => info("SUPER_ACTIVE"))
      const { view } = yield* run(env, sink, false)
      expect(view.status).toBe("unknown")
      expect(view.ruleset).toBeNull()
      expect(view.advice).toContain('"super_active"') // as received: info() sends lower case
    })
  )

  it.live("the served view reuses a recent answer instead of asking on every request", () =>
    Effect.gen(function* () {
      const { env, sink } = yield* setup(() => info("ACTIVE"))
      const view = widgetOnly({ baseUrl: sink.url, insecure: false, timeoutMs: 2000, configPath: env.configPath, maxAgeMs: 60_000 })
      const a = yield* Effect.provide(view, withApi(env, sink.url))
      const b = yield* Effect.provide(view, withApi(env, sink.url))
      expect(a.status).toBe("ACTIVE")
      expect(b.status).toBe("ACTIVE")
      expect(sink.received).toHaveLength(1)
      expect("warnings" in b).toBe(false)
    })
  )

  it.live("the served view during an outage: a failed lookup is reused for 10 s, UNREACHABLE with the last good answer", () =>
    Effect.gen(function* () {
      const { env, sink } = yield* setup((n) => (n === 0 ? info("ACTIVE") : "reset"))
      const view = widgetOnly({ baseUrl: sink.url, insecure: false, timeoutMs: 2000, configPath: env.configPath, maxAgeMs: 60_000 })
      const first = yield* Effect.provide(view, withApi(env, sink.url))
      expect(first.stale).toBeNull()
      // A reused good answer: no request.
      yield* Effect.provide(view, withApi(env, sink.url))
      expect(sink.received).toHaveLength(1)
      // Expire it, then the service goes away.
      const st = yield* Effect.promise(() => env.readState())
      yield* Effect.promise(() => env.writeState({ ...st!, lastSensorInfo: { ...st!.lastSensorInfo!, at: st!.lastSensorInfo!.at - 120_000 } }))
      const down1 = yield* Effect.provide(view, withApi(env, sink.url))
      const down2 = yield* Effect.provide(view, withApi(env, sink.url))
      for (const v of [down1, down2]) {
        expect(v.status).toBe("unreachable")
        expect(v.lastKnown?.status).toBe("ACTIVE")
        expect(v.reason).toMatch(/connection reset|network error/)
      }
      // The second request reused the failed lookup (issue 15: an outage is not asked once per request).
      expect(sink.received).toHaveLength(2)
    })
  )

  it.live("100 concurrent /api/status views during an outage ask the service once", () =>
    Effect.gen(function* () {
      const { env, sink } = yield* setup(() => "reset")
      const view = widgetOnly({ baseUrl: sink.url, insecure: false, timeoutMs: 2000, configPath: env.configPath, maxAgeMs: 30_000 })
      const views = yield* Effect.all(Array.from({ length: 100 }, () => view), { concurrency: "unbounded" }).pipe(
        Effect.provide(withApi(env, sink.url))
      )
      expect(views.every((v) => v.status === "unreachable")).toBe(true)
      expect(sink.received.length).toBeLessThanOrEqual(1)
      // The CLI's own `status` (no reuse) still asks every time.
      yield* run(env, sink, true)
      expect(sink.received.length).toBe(2)
    })
  )

  it.live("a corrupt state file: reported as a warning, the widget still shown", () =>
    Effect.gen(function* () {
      const { env, sink } = yield* setup(() => info("ACTIVE"))
      yield* Effect.promise(() => env.writeState({ ...emptyState, version: 0 } as never))
      const { view, stderr } = yield* run(env, sink, false)
      expect(view.status).toBe("ACTIVE")
      expect(stderr).toMatch(/emergingthreats: status: warning: state file .* is corrupt/)
    })
  )
})
