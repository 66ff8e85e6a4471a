/**
 * The telemetry API's test layer: every call answered by a pure function (request → reply), with no
 * network and no timers, so programs run on it under TestClock. A reply other than the call's success status
 * (201 for event and heartbeat, 200 for the rest) becomes the HttpStatusError the live adapter would give; an ApiError reply (a dropped connection, say) is failed as is.
 */
import { Effect, Layer } from "effect"
import { type ApiError, BadResponseError, HttpStatusError } from "../domain/ApiError.js"
import { TelemetryApi } from "./TelemetryApi.js"

export type ApiCall =
  | { readonly call: "event"; readonly body: string }
  | { readonly call: "heartbeat"; readonly body: unknown }
  | { readonly call: "sensorInfo" }
  | { readonly call: "rulesetVersion" }
  | { readonly call: "ruleset"; readonly dest: string; readonly maxBytes: number }

export interface ApiReply {
  readonly status: number
  /** sensorInfo: the object; rulesetVersion: the version; ruleset: the bytes written. */
  readonly json?: unknown
  readonly retryAfterMs?: number
}

const PATHS: Record<ApiCall["call"], string> = {
  event: "/api/v1/event",
  heartbeat: "/api/v1/telemetry",
  sensorInfo: "/api/v1/sensorinfo",
  rulesetVersion: "/api/v1/ruleset/version",
  ruleset: "/api/v1/ruleset/engine/suricata/5"
}

const SUCCESS: Record<ApiCall["call"], number> = { event: 201, heartbeat: 201, sensorInfo: 200, rulesetVersion: 200, ruleset: 200 }

const BASE = "http://telemetry.test"

export const layerTest = (answer: (call: ApiCall) => ApiReply | ApiError): Layer.Layer<TelemetryApi> => {
  const ask = (call: ApiCall): Effect.Effect<unknown, ApiError> =>
    Effect.suspend(() => {
      const url = BASE + PATHS[call.call]
      const r = answer(call)
      if ("_tag" in r) return Effect.fail(r)
      // The API's own success status only, as the live adapter: 201 for the posts, 200 for the GETs.
      if (r.status !== SUCCESS[call.call]) {
        return Effect.fail(
          new HttpStatusError({ url, status: r.status, retryAfterMs: r.retryAfterMs, bodyExcerpt: "", message: `${url} answered HTTP ${r.status}` })
        )
      }
      return Effect.succeed(r.json)
    })
  const shaped = <A>(call: ApiCall, ok: (v: unknown) => v is A) =>
    Effect.flatMap(ask(call), (v) =>
      ok(v) ? Effect.succeed(v) : Effect.fail(new BadResponseError({ url: BASE + PATHS[call.call], message: "unexpected test reply" }))
    )
  return Layer.succeed(TelemetryApi, {
    postEvent: (body) => Effect.asVoid(ask({ call: "event", body })),
    postHeartbeat: (body) => Effect.asVoid(ask({ call: "heartbeat", body })),
    sensorInfo: shaped({ call: "sensorInfo" }, (v): v is Record<string, unknown> => typeof v === "object" && v !== null),
    rulesetVersion: shaped({ call: "rulesetVersion" }, (v): v is string => typeof v === "string"),
    downloadRuleset: (dest, maxBytes) => shaped({ call: "ruleset", dest, maxBytes }, (v): v is number => typeof v === "number")
  })
}
