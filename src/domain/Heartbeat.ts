/**
 * The heartbeat (SPEC section 6), assembled from what the sensor probes found. Each fact is a Probe: its value,
 * NotFound (the file or command is missing) or Failed (it was there and did not work). Assembly is pure and
 * total: every key is always present, a missing fact becomes "NOTFOUND", a failed one "ERROR".
 */
import { HEARTBEAT_COUNTERS, type HeartbeatCounter, heartbeatStats, type StatsBlock } from "./StatsLog.js"

export type Probe<A> =
  | { readonly _tag: "Found"; readonly value: A }
  | { readonly _tag: "NotFound"; readonly detail: string }
  | { readonly _tag: "Failed"; readonly detail: string }

export const found = <A>(value: A): Probe<A> => ({ _tag: "Found", value })
export const notFound = (detail: string): Probe<never> => ({ _tag: "NotFound", detail })
export const failed = (detail: string): Probe<never> => ({ _tag: "Failed", detail })

/** Everything the heartbeat needs to know about the sensor, each probed independently. */
export interface SensorFacts {
  /** `opnsense-version -v`. */
  readonly softwareVersion: Probe<string>
  /** `suricata -V`, the text after " version ". */
  readonly suricataVersion: Probe<string>
  /** Whether `rc.d/suricata status` exited 0. */
  readonly suricataRunning: Probe<boolean>
  /** `version` of telemetry_version.json. */
  readonly rulesetVersion: Probe<string | number>
  /** SIDs of the enabled rules in the files installed_rules.yaml names. */
  readonly installedSids: Probe<ReadonlySet<number>>
  /** telemetry_sids.txt. */
  readonly telemetrySids: Probe<ReadonlySet<number>>
  /** Whether suricata.yaml has an `inline: true`. */
  readonly ipsMode: Probe<boolean>
  /** The last block of stats.log. */
  readonly stats: Probe<StatsBlock>
}

export type Missing = "NOTFOUND" | "ERROR"

/** The body of `POST /api/v1/telemetry`, key for key. */
export interface HeartbeatBody {
  readonly software_version: string
  readonly suricata_version: string
  readonly suricata_status: "Running" | "Stopped" | Missing
  /** Unix seconds. */
  readonly system_time: number
  readonly ruleset_version: string | number
  readonly total_enabled_rules: number | Missing
  readonly total_enabled_telemetry_rules: number | Missing
  readonly mode: "IPS" | "IDS" | Missing
  readonly log_stats: Record<HeartbeatCounter, number | null> | Missing
}

export const HEARTBEAT_KEYS = [
  "software_version",
  "suricata_version",
  "suricata_status",
  "system_time",
  "ruleset_version",
  "total_enabled_rules",
  "total_enabled_telemetry_rules",
  "mode",
  "log_stats"
] as const satisfies ReadonlyArray<keyof HeartbeatBody>

const or = <A, B>(p: Probe<A>, f: (a: A) => B): B | Missing =>
  p._tag === "Found" ? f(p.value) : p._tag === "NotFound" ? "NOTFOUND" : "ERROR"

/** The missing/failed marker of the worse of two probes: ERROR wins over NOTFOUND. */
const both = <A, B, C>(a: Probe<A>, b: Probe<B>, f: (a: A, b: B) => C): C | Missing => {
  if (a._tag === "Failed" || b._tag === "Failed") return "ERROR"
  if (a._tag === "NotFound" || b._tag === "NotFound") return "NOTFOUND"
  return f(a.value, b.value)
}

const countCommon = (a: ReadonlySet<number>, b: ReadonlySet<number>): number => {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a]
  let n = 0
  for (const x of small) if (large.has(x)) n++
  return n
}

export const assembleHeartbeat = (facts: SensorFacts, nowMs: number): HeartbeatBody => ({
  software_version: or(facts.softwareVersion, (v) => v),
  suricata_version: or(facts.suricataVersion, (v) => v),
  suricata_status: or(facts.suricataRunning, (r) => (r ? "Running" : "Stopped")),
  system_time: Math.floor(nowMs / 1000),
  ruleset_version: or(facts.rulesetVersion, (v) => v),
  total_enabled_rules: or(facts.installedSids, (s) => s.size),
  total_enabled_telemetry_rules: both(facts.installedSids, facts.telemetrySids, countCommon),
  mode: or(facts.ipsMode, (ips) => (ips ? "IPS" : "IDS")),
  log_stats: or(facts.stats, heartbeatStats)
})

/** Which heartbeat key each fact feeds (telemetry SIDs feed the telemetry rule count). */
const KEY_OF: Record<keyof SensorFacts, string> = {
  softwareVersion: "software_version",
  suricataVersion: "suricata_version",
  suricataRunning: "suricata_status",
  rulesetVersion: "ruleset_version",
  installedSids: "total_enabled_rules",
  telemetrySids: "total_enabled_telemetry_rules",
  ipsMode: "mode",
  stats: "log_stats"
}

/** Probes that did not yield a value, for `--print` and the task message: "suricata_version: ERROR (...)". */
export const problems = (facts: SensorFacts): Array<string> =>
  (Object.entries(facts) as Array<[keyof SensorFacts, Probe<unknown>]>).flatMap(([k, p]) =>
    p._tag === "Found" ? [] : [`${KEY_OF[k]}: ${p._tag === "NotFound" ? "NOTFOUND" : "ERROR"} (${p.detail})`]
  )

// --- Reading the facts out of raw text (pure; the SystemProbe adapter supplies the text) ---

/** `suricata -V` output → the text after " version ", or undefined when the output has none. */
export const suricataVersionOf = (stdout: string): string | undefined => {
  const text = stdout.trim()
  const at = text.indexOf(" version ")
  if (at < 0) return undefined
  const v = text.slice(at + " version ".length).split(/\r?\n/)[0]!.trim()
  return v === "" ? undefined : v
}

const HASH_LINE = "#@opnsense_download_hash"

/** telemetry_version.json → its `version`; tolerates a leading `#@opnsense_download_hash:...` line. */
export const rulesetVersionOf = (text: string): string | number => {
  let body = text.replace(/^\uFEFF/, "")
  if (body.startsWith(HASH_LINE)) {
    const nl = body.indexOf("\n")
    body = nl < 0 ? "" : body.slice(nl + 1)
  }
  const doc: unknown = JSON.parse(body)
  const v = typeof doc === "object" && doc !== null ? (doc as { version?: unknown }).version : undefined
  if (typeof v === "string" && v.trim() !== "") return v.trim()
  if (typeof v === "number" && Number.isFinite(v)) return v
  throw new Error("no version in it")
}

const INLINE = /^[ \t]*(?:-[ \t]+)?inline[ \t]*:[ \t]*["']?(?:true|yes|on)["']?[ \t]*(?:#.*)?$/im

/** IPS mode: any `inline: true` setting in suricata.yaml (commented-out lines do not count). */
export const isInlineMode = (yamlText: string): boolean => INLINE.test(yamlText)

export { HEARTBEAT_COUNTERS }
