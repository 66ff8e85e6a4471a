/**
 * The heartbeat body from the facts a caller collected, by the domain's own assembly (src/domain/Heartbeat.ts):
 * this file only lets a fact be given plainly (`"7.0.6"`, `true`, a SID array) or left out, which is a fact
 * not found, so it gets the same value for a missing fact as `send-heartbeat`.
 */
import { Clock, Effect } from "effect"
import { assembleHeartbeat as assemble, type HeartbeatBody, notFound, type Probe, type SensorFacts } from "../domain/Heartbeat.js"

/** A fact as probed (`found(v)`, `notFound(why)`, `failed(why)`), as a plain value, or absent (not found). */
export type Fact<A> = Probe<A> | A | undefined

type Sids = ReadonlySet<number> | ReadonlyArray<number>
type ValueOf<P> = P extends Probe<infer A> ? A : never

/**
 * The domain's facts (src/domain/Heartbeat.ts SensorFacts: software and Suricata versions, whether Suricata
 * runs, the ruleset version, enabled and telemetry SIDs, IPS mode, the last stats.log block), each optional
 * and given plainly or as a probe; SID sets may be arrays. Derived from the domain's type, so they never differ.
 */
export type HeartbeatFacts = {
  readonly [K in keyof SensorFacts]?: Fact<K extends "installedSids" | "telemetrySids" ? Sids : ValueOf<SensorFacts[K]>>
}

const TAGS = new Set(["Found", "NotFound", "Failed"])
const isProbe = (v: unknown): v is Probe<unknown> =>
  typeof v === "object" && v !== null && TAGS.has((v as { _tag?: unknown })._tag as string)

type SidKey = "installedSids" | "telemetrySids"

/** One fact as the domain takes it: a probe as given, a plain value found, an absent one not found. */
const fact = <K extends Exclude<keyof SensorFacts, SidKey>>(f: HeartbeatFacts, k: K): SensorFacts[K] => {
  const v: unknown = f[k]
  return (v === undefined ? notFound("not given") : isProbe(v) ? v : { _tag: "Found", value: v }) as SensorFacts[K]
}

const sids = (f: HeartbeatFacts, k: SidKey): SensorFacts[SidKey] => {
  const v: unknown = f[k]
  if (v === undefined) return notFound("not given")
  if (isProbe(v)) return v as SensorFacts[SidKey]
  return { _tag: "Found", value: Array.isArray(v) ? new Set<number>(v) : (v as ReadonlySet<number>) }
}

/** The domain's facts from the caller's. */
export const sensorFacts = (f: HeartbeatFacts): SensorFacts => ({
  softwareVersion: fact(f, "softwareVersion"),
  suricataVersion: fact(f, "suricataVersion"),
  suricataRunning: fact(f, "suricataRunning"),
  rulesetVersion: fact(f, "rulesetVersion"),
  installedSids: sids(f, "installedSids"),
  telemetrySids: sids(f, "telemetrySids"),
  ipsMode: fact(f, "ipsMode"),
  stats: fact(f, "stats")
})

/** The body of `POST /api/v1/telemetry`; `system_time` from `nowMs` (default: now). */
export const assembleHeartbeat = (facts: HeartbeatFacts, nowMs: number = Date.now()): HeartbeatBody =>
  assemble(sensorFacts(facts), nowMs)

/** The Effect program: the time is the Clock's (TestClock in tests). */
export const assembleHeartbeatEffect = (facts: HeartbeatFacts): Effect.Effect<HeartbeatBody> =>
  Effect.map(Clock.currentTimeMillis, (now) => assembleHeartbeat(facts, now))
