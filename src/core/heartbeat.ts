/**
 * The heartbeat body from the facts a caller collected, by the domain's own assembly (src/domain/Heartbeat.ts):
 * this file only lets a fact be given plainly (`"7.0.6"`, `true`, a SID array) or left out, which is a fact
 * not found, so it gets the same value for a missing fact as `send-heartbeat`.
 */
import { Clock, Effect } from "effect"
import { assembleHeartbeat as assemble, type HeartbeatBody, notFound, type Probe, type SensorFacts } from "../domain/Heartbeat.js"
import type { StatsBlock } from "../domain/StatsLog.js"

/** A fact as probed (`found(v)`, `notFound(why)`, `failed(why)`), as a plain value, or absent (not found). */
export type Fact<A> = Probe<A> | A | undefined

type Sids = ReadonlySet<number> | ReadonlyArray<number>

export interface HeartbeatFacts {
  /** OPNsense version, or the host's software version. */
  readonly softwareVersion?: Fact<string>
  /** `suricata -V`'s version text (`7.0.6`). */
  readonly suricataVersion?: Fact<string>
  readonly suricataRunning?: Fact<boolean>
  /** `version` of telemetry_version.json. */
  readonly rulesetVersion?: Fact<string | number>
  /** SIDs of the enabled rules. */
  readonly installedSids?: Fact<Sids>
  /** The telemetry SID list. */
  readonly telemetrySids?: Fact<Sids>
  /** Whether Suricata runs inline (IPS). */
  readonly ipsMode?: Fact<boolean>
  /** The last block of stats.log (`readStatsLog(text)`). */
  readonly stats?: Fact<StatsBlock>
}

const TAGS = new Set(["Found", "NotFound", "Failed"])
const isProbe = (v: unknown): v is Probe<unknown> =>
  typeof v === "object" && v !== null && TAGS.has((v as { _tag?: unknown })._tag as string)

const probe = <A>(v: Fact<A>): Probe<A> =>
  v === undefined ? notFound("not given") : isProbe(v) ? (v as Probe<A>) : { _tag: "Found", value: v as A }

const sidProbe = (v: Fact<Sids>): Probe<ReadonlySet<number>> => {
  const p = probe(v)
  return p._tag === "Found" && Array.isArray(p.value) ? { _tag: "Found", value: new Set(p.value) } : (p as Probe<ReadonlySet<number>>)
}

/** The domain's facts from the caller's. */
export const sensorFacts = (f: HeartbeatFacts): SensorFacts => ({
  softwareVersion: probe(f.softwareVersion),
  suricataVersion: probe(f.suricataVersion),
  suricataRunning: probe(f.suricataRunning),
  rulesetVersion: probe(f.rulesetVersion),
  installedSids: sidProbe(f.installedSids),
  telemetrySids: sidProbe(f.telemetrySids),
  ipsMode: probe(f.ipsMode),
  stats: probe(f.stats)
})

/** The body of `POST /api/v1/telemetry`; `system_time` from `nowMs` (default: now). */
export const assembleHeartbeat = (facts: HeartbeatFacts, nowMs: number = Date.now()): HeartbeatBody =>
  assemble(sensorFacts(facts), nowMs)

/** The Effect program: the time is the Clock's (TestClock in tests). */
export const assembleHeartbeatEffect = (facts: HeartbeatFacts): Effect.Effect<HeartbeatBody> =>
  Effect.map(Clock.currentTimeMillis, (now) => assembleHeartbeat(facts, now))
