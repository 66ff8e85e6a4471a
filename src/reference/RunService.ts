/**
 * `service`: runs the reference telemetry service until SIGINT/SIGTERM. Prints `listening on http://HOST:PORT`
 * when ready (and the admin key when it was generated), then one line when it stops.
 */
import { Effect } from "effect"
import { Output } from "../adapters/Output.js"
import * as SqliteStore from "./SqliteStore.js"
import { start } from "./Service.js"
import type { ServiceOptions } from "./ServiceOptions.js"

/** What the service is started with: `service`'s options Schema (./ServiceOptions.ts), the admin key settled. */
export type RunOptions = ServiceOptions

/** Waits for SIGINT or SIGTERM. */
export const untilSignal = Effect.async<string>((resume) => {
  const on = (sig: NodeJS.Signals) => () => {
    process.off("SIGINT", onInt)
    process.off("SIGTERM", onTerm)
    resume(Effect.succeed(sig))
  }
  const onInt = on("SIGINT")
  const onTerm = on("SIGTERM")
  process.once("SIGINT", onInt)
  process.once("SIGTERM", onTerm)
  return Effect.sync(() => {
    process.off("SIGINT", onInt)
    process.off("SIGTERM", onTerm)
  })
})

export const runService = (o: RunOptions) =>
  Effect.scoped(
    Effect.gen(function* () {
      const out = yield* Output
      const svc = yield* start({
        host: o.host,
        port: o.port,
        tokens: o.tokens,
        adminKey: o.adminKey,
        etproDir: o.etproDir,
        etopenDir: o.etopenDir
      })
      yield* out.out(`listening on ${svc.url}\n`)
      if (svc.adminKeyGenerated) yield* out.out(`admin key ${svc.adminKey}\n`)
      yield* out.err(
        `emergingthreats: service: database ${o.db}, ${o.tokens.length} tokens registered, rulesets ${svc.rulesets.pro.version} / ${svc.rulesets.open.version}`
      )
      const sig = yield* untilSignal
      const c = yield* svc.store.counts
      yield* out.err(
        `emergingthreats: service: ${sig}: stopping; ${c.sensors} sensors, ${c.events} events, ${c.heartbeats} heartbeats, ${c.violations} privacy violations`
      )
    })
  ).pipe(Effect.provide(SqliteStore.layer(o.db)))
