/**
 * The service `replay` delivers to when no `--base-url` is given: in process, in memory, on the replay's
 * simulated clock (so its license decisions are made on simulated time too). Lives for the caller's scope.
 * The `replay` command hands it to the program as its `StartEmbedded` (src/main/programs/Replay.ts).
 */
import { type Clock, Effect, Layer } from "effect"
import { randomBytes } from "node:crypto"
import type { LicenseWindows } from "../domain/License.js"
import { start } from "./Service.js"
import * as SqliteStore from "./SqliteStore.js"

export const startEmbedded = ({ token = randomBytes(18).toString("base64url"), clock, windows }: {
  readonly token?: string | undefined
  readonly clock: Clock.Clock
  readonly windows?: LicenseWindows | undefined
}) =>
  Effect.gen(function* () {
    const store = yield* Layer.build(SqliteStore.layerMemory)
    const svc = yield* Effect.withClock(start({ tokens: [token], ...(windows === undefined ? {} : { windows }) }), clock).pipe(
      Effect.provide(store)
    )
    return { url: svc.url, token, counts: svc.store.counts }
  })
