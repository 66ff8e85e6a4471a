/**
 * The reference telemetry service (SPEC section 9), put together: the SqliteStore, the two rulesets, the
 * routes and the HTTP server, with the tokens given at start registered. Scoped: everything closes with the
 * scope. The handler runs on the runtime `start` was called in, so the Clock it sees is the caller's
 * (TestClock in tests, a simulated clock in `replay`, the real one otherwise).
 */
import { Effect, Runtime } from "effect"
import { randomBytes } from "node:crypto"
import { SqliteStore, type SqliteStoreService } from "./SqliteStore.js"
import type { LicenseWindows } from "../domain/License.js"
import { makeApi, sensorIdFor, tokenHash } from "./Api.js"
import { assets } from "./Assets.js"
import { serve } from "./HttpServer.js"
import { loadRulesets, type Rulesets } from "./Rulesets.js"
import type { ServiceOptions } from "./ServiceOptions.js"

export const BODY_LIMIT = 1024 * 1024

/**
 * How the service starts: any of `service`'s decoded options (./ServiceOptions.ts; port 0 picks a free one, an
 * absent admin key is generated and reported as such), and what the demo, replay and tests add.
 */
export type StartOptions = Partial<ServiceOptions> & {
  readonly bodyLimit?: number
  readonly windows?: LicenseWindows
  /** Answer 503 to one event in this many (src/reference/Api.ts). */
  readonly eventFaults?: number
}

export interface RunningService {
  readonly url: string
  readonly host: string
  readonly port: number
  readonly adminKey: string
  readonly adminKeyGenerated: boolean
  readonly rulesets: Rulesets
  readonly store: SqliteStoreService
  /** Registers a token now (service clock); returns the sensor id. */
  readonly registerToken: (token: string, name?: string) => Effect.Effect<string, unknown>
}

export const start = (opts: StartOptions = {}) =>
  Effect.gen(function* () {
    const store = yield* SqliteStore
    const a = assets()
    const rulesets = yield* loadRulesets({ pro: opts.etproDir ?? a.etproRules, open: opts.etopenDir ?? a.etopenRules })
    const adminKey = opts.adminKey ?? randomBytes(16).toString("hex")
    const runtime = yield* Effect.runtime<never>()
    const registerToken = (token: string, name = "sensor") =>
      Effect.gen(function* () {
        const t = token.trim()
        const now = yield* Effect.clockWith((c) => c.currentTimeMillis)
        const r = yield* store.registerSensor({ id: sensorIdFor(t), tokenHash: tokenHash(t), name, now })
        return r.id
      })
    for (const [i, t] of (opts.tokens ?? []).entries()) yield* registerToken(t, `sensor-${i + 1}`)
    const api = makeApi({
      store, rulesets, adminKey,
      ...(opts.windows === undefined ? {} : { windows: opts.windows }),
      ...(opts.eventFaults === undefined ? {} : { eventFaults: opts.eventFaults })
    })
    const run = Runtime.runPromise(runtime)
    const listening = yield* serve({
      host: opts.host ?? "127.0.0.1",
      port: opts.port ?? 0,
      bodyLimit: opts.bodyLimit ?? BODY_LIMIT,
      handle: (req) => run(api(req))
    })
    return {
      ...listening,
      adminKey,
      adminKeyGenerated: opts.adminKey === undefined,
      rulesets,
      store,
      // Runs on the service's runtime, so the registration time is the service clock's.
      registerToken: (token: string, name?: string) =>
        Effect.flatten(Effect.promise(() => Runtime.runPromiseExit(runtime)(registerToken(token, name))))
    } satisfies RunningService
  })

