/**
 * The heartbeat (SPEC section 6), assembled from what the sensor probes found, with the values the stock
 * plugin sends (opnsense/plugins security/etpro-telemetry, plugin 1.8, `telemetry/system.py`): the service is
 * Proofpoint's, so it gets what it already receives. Each fact is a Probe: its value, NotFound (the file or
 * program is missing) or Failed (it was there and did not work). Assembly is pure and total; what a missing
 * fact becomes depends on the key, as in system.py:
 *
 * - a missing program (`opnsense-version`, `suricata`, `rc.d/suricata`) is `"NOTFOUND"` (`get()`'s
 *   `except FileNotFoundError`);
 * - a missing file is not an error there: `ruleset_version` null, `total_enabled_rules` and
 *   `total_enabled_telemetry_rules` 0 (the SID sets stay empty), `mode` `"IDS"`, `log_stats` `{}`;
 * - any other failure is `"ERROR"` (`except Exception`).
 */
import { HEARTBEAT_COUNTERS, type HeartbeatCounter, heartbeatStats, type StatsBlock, type StatValue } from "./StatsLog.js"

export type Probe<A> =
  | { readonly _tag: "Found"; readonly value: A; /** Something worth saying although a value was found. */ readonly detail?: string }
  | { readonly _tag: "NotFound"; readonly detail: string }
  | { readonly _tag: "Failed"; readonly detail: string }

export const found = <A>(value: A, detail?: string): Probe<A> =>
  detail === undefined ? { _tag: "Found", value } : { _tag: "Found", value, detail }
export const notFound = (detail: string): Probe<never> => ({ _tag: "NotFound", detail })
export const failed = (detail: string): Probe<never> => ({ _tag: "Failed", detail })

/** Any JSON value: telemetry_version.json's `version` is sent as it is written. */
export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [k: string]: Json }

/** Everything the heartbeat needs to know about the sensor, each probed independently. */
export interface SensorFacts {
  /** `opnsense-version -v`, its stdout trimmed whatever its exit code. */
  readonly softwareVersion: Probe<string>
  /** `suricata -V`, read as system.py reads it (`suricataVersionOf`). */
  readonly suricataVersion: Probe<string>
  /** Whether `rc.d/suricata status` exited 0. */
  readonly suricataRunning: Probe<boolean>
  /** `version` of telemetry_version.json; null when the file has none. */
  readonly rulesetVersion: Probe<Json>
  /** SIDs of the enabled rules in the files installed_rules.yaml names. */
  readonly installedSids: Probe<ReadonlySet<number>>
  /** telemetry_sids.txt. */
  readonly telemetrySids: Probe<ReadonlySet<number>>
  /** Whether suricata.yaml has an `inline: true`. */
  readonly ipsMode: Probe<boolean>
  /** The rows of the last block of stats.log. */
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
  readonly ruleset_version: Json
  readonly total_enabled_rules: number | "ERROR"
  readonly total_enabled_telemetry_rules: number | "ERROR"
  readonly mode: "IPS" | "IDS" | "ERROR"
  /** `{}` without stats.log. */
  readonly log_stats: Partial<Record<HeartbeatCounter, StatValue | null>> | "ERROR"
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

/** What a fact becomes when the file it is read from is missing (system.py guards each with os.path.isfile). */
export const WHEN_FILE_MISSING = {
  ruleset_version: null,
  total_enabled_rules: 0,
  total_enabled_telemetry_rules: 0,
  mode: "IDS",
  log_stats: {}
} as const satisfies Partial<HeartbeatBody>

/** A program's fact: its value, NOTFOUND when the program is missing, ERROR when it failed. */
const ofProgram = <A, B>(p: Probe<A>, f: (a: A) => B): B | Missing =>
  p._tag === "Found" ? f(p.value) : p._tag === "NotFound" ? "NOTFOUND" : "ERROR"

/** A file's fact: its value, `whenMissing` when the file is missing, ERROR when reading it failed. */
const ofFile = <A, B, M>(p: Probe<A>, whenMissing: M, f: (a: A) => B): B | M | "ERROR" =>
  p._tag === "Found" ? f(p.value) : p._tag === "NotFound" ? whenMissing : "ERROR"

const NO_SIDS: ReadonlySet<number> = new Set()

/** A SID list's set: a missing list is an empty set (system.py lines 42 and __init__.py telemetry_sids()). */
const sidsOf = (p: Probe<ReadonlySet<number>>): ReadonlySet<number> | "ERROR" =>
  p._tag === "Found" ? p.value : p._tag === "NotFound" ? NO_SIDS : "ERROR"

const countCommon = (a: ReadonlySet<number>, b: ReadonlySet<number>): number => {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a]
  let n = 0
  for (const x of small) if (large.has(x)) n++
  return n
}

export const assembleHeartbeat = (facts: SensorFacts, nowMs: number): HeartbeatBody => {
  const installed = sidsOf(facts.installedSids)
  const telemetry = sidsOf(facts.telemetrySids)
  return {
    software_version: ofProgram(facts.softwareVersion, (v) => v),
    suricata_version: ofProgram(facts.suricataVersion, (v) => v),
    suricata_status: ofProgram(facts.suricataRunning, (r) => (r ? "Running" : "Stopped")),
    system_time: Math.floor(nowMs / 1000),
    ruleset_version: ofFile(facts.rulesetVersion, WHEN_FILE_MISSING.ruleset_version, (v) => v),
    total_enabled_rules: installed === "ERROR" ? "ERROR" : installed.size,
    total_enabled_telemetry_rules: installed === "ERROR" || telemetry === "ERROR" ? "ERROR" : countCommon(installed, telemetry),
    mode: ofFile(facts.ipsMode, WHEN_FILE_MISSING.mode, (ips) => (ips ? "IPS" : "IDS")),
    log_stats: ofFile(facts.stats, WHEN_FILE_MISSING.log_stats, heartbeatStats)
  }
}

/** Which heartbeat key each fact feeds (telemetry SIDs feed the telemetry rule count). */
const KEY_OF: Record<keyof SensorFacts, keyof HeartbeatBody> = {
  softwareVersion: "software_version",
  suricataVersion: "suricata_version",
  suricataRunning: "suricata_status",
  rulesetVersion: "ruleset_version",
  installedSids: "total_enabled_rules",
  telemetrySids: "total_enabled_telemetry_rules",
  ipsMode: "mode",
  stats: "log_stats"
}

/**
 * Probes that did not yield a plain value, with what the key is sent as and why, for `--print` and the task
 * message: `ruleset_version: null (/usr/local/etc/suricata/rules/telemetry_version.json not found)`.
 */
export const problems = (facts: SensorFacts): Array<string> => {
  const body = assembleHeartbeat(facts, 0)
  return (Object.entries(facts) as Array<[keyof SensorFacts, Probe<unknown>]>).flatMap(([k, p]) =>
    p.detail === undefined ? [] : [`${KEY_OF[k]}: ${JSON.stringify(body[KEY_OF[k]])} (${p.detail})`]
  )
}

// --- Reading the facts out of raw text, as system.py does (pure; the SystemProbe adapter supplies the text) ---

/**
 * `suricata -V`'s stdout → what system.py lines 65-69 send: the stripped text after " version "; when there is
 * no " version ", `str.find` gives -1, which Python takes for true, so the text loses its first 8 characters.
 */
export const suricataVersionOf = (stdout: string): string => {
  const text = stdout.trim()
  const at = text.indexOf(" version ")
  return at >= 0 ? text.slice(at + " version ".length) : Array.from(text).slice(8).join("")
}

/** The prefix system.py line 85 strips with its line (OPNsense's download hash). */
const HASH_PREFIX = "#@opnsense_downlo"

const isObject = (v: unknown): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v)

/**
 * telemetry_version.json → its `version` as system.py lines 81-91 read it: the hash line stripped, the JSON
 * parsed; an object's `version` (any JSON value), else null. Python's `'version' in data` on a string is a
 * substring test and on a list a membership test, and `data['version']` then fails; on a number, true, false
 * or null the test itself fails: those throw here, to be sent as "ERROR".
 */
export const rulesetVersionOf = (text: string): Json => {
  let body = text
  if (body.startsWith(HASH_PREFIX)) body = body.slice(body.indexOf("\n") + 1)
  const doc = JSON.parse(body) as Json
  if (isObject(doc)) return Object.hasOwn(doc, "version") ? doc["version"]! : null
  if (typeof doc === "string") {
    if (doc.includes("version")) throw new Error("a JSON string holding \"version\" cannot be indexed")
    return null
  }
  if (Array.isArray(doc)) {
    if (doc.includes("version")) throw new Error("a JSON list holding \"version\" cannot be indexed")
    return null
  }
  throw new Error(`a JSON ${doc === null ? "null" : typeof doc} has no version`)
}

const INLINE = /^[ \t]*(?:-[ \t]+)?inline[ \t]*:[ \t]*["']?(?:true|yes|on)["']?[ \t]*(?:#.*)?$/im

/**
 * IPS mode: an `inline: true` setting in suricata.yaml (commented-out lines do not count). system.py
 * (line 106) tests for lines starting `  inline: true`, which OPNsense's template writes; this also reads
 * the other spellings Suricata's YAML loader takes as true, for hosts whose suricata.yaml is hand-written.
 */
export const isInlineMode = (yamlText: string): boolean => INLINE.test(yamlText)

export { HEARTBEAT_COUNTERS }
