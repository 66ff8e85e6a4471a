/**
 * Runs `send-events` in-process on its live layers (StateStore, EveLog, TelemetryApi against a loopback
 * sink) in a temp directory, with helpers to write eve lines whose alerts are told apart by flow_id.
 */
import { Effect, Exit, Layer } from "effect"
import { appendFile, mkdir, mkdtemp, readFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Credentials from "../../src/adapters/Credentials.js"
import * as EveLog from "../../src/adapters/EveLog.js"
import * as Output from "../../src/adapters/Output.js"
import * as StateStore from "../../src/adapters/StateStore.js"
import * as TelemetryApi from "../../src/adapters/TelemetryApi.js"
import type { AgentState } from "../../src/domain/AgentState.js"
import { localNetworks } from "../../src/domain/Network.js"
import type { DeliveryPolicy } from "../../src/domain/Delivery.js"
import type { RetryPolicy } from "../../src/domain/Retry.js"
import { type SendEventsRun, sendEvents } from "../../src/main/programs/SendEvents.js"

export const TOKEN = "harness-token-123"

export interface Dirs {
  readonly root: string
  readonly log: string
  readonly state: string
}

export const makeDirs = async (): Promise<Dirs> => {
  const root = await mkdtemp(join(tmpdir(), "send-"))
  const log = join(root, "log")
  await mkdir(log)
  return { root, log, state: join(root, "run", "state.json") }
}

/** Suricata's timestamp format, in UTC offset `+0000` unless told otherwise. */
export const suricataTime = (ms: number, offsetMin = 0): string => {
  const d = new Date(ms + offsetMin * 60_000)
  const p = (n: number, w = 2) => String(n).padStart(w, "0")
  const sign = offsetMin < 0 ? "-" : "+"
  const a = Math.abs(offsetMin)
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(
    d.getUTCSeconds()
  )}.${p(d.getUTCMilliseconds(), 3)}000${sign}${p(Math.floor(a / 60))}${p(a % 60)}`
}

/** One alert line (with `\n`), identified by `id` as its flow_id. */
export const alertLine = (id: number, at = Date.now(), offsetMin = 0): string =>
  JSON.stringify({
    timestamp: suricataTime(at, offsetMin),
    flow_id: id,
    in_iface: "em0",
    event_type: "alert",
    src_ip: "203.0.113.7",
    src_port: 443,
    dest_ip: "192.168.1.20",
    dest_port: 51234,
    proto: "TCP",
    alert: { action: "allowed", gid: 1, signature_id: 2_000_000 + (id % 1000), rev: 3, signature: "ET TEST", category: "x" }
  }) + "\n"

export const otherLine = (n: number, at = Date.now()): string =>
  JSON.stringify({ timestamp: suricataTime(at), event_type: "flow", flow_id: 9_000_000 + n, src_ip: "10.0.0.1" }) + "\n"

export const appendAlerts = (path: string, ids: ReadonlyArray<number>, at = Date.now()) =>
  appendFile(path, ids.map((i) => alertLine(i, at)).join(""))

/** flow_ids of the events a sink accepted, in arrival order. */
export const idsOf = (bodies: ReadonlyArray<string>): Array<number> => bodies.map((b) => (JSON.parse(b) as { flow_id: number }).flow_id)

export const range = (from: number, n: number): Array<number> => Array.from({ length: n }, (_, i) => from + i)

export const readState = async (dirs: Dirs): Promise<AgentState> => JSON.parse(await readFile(dirs.state, "utf8")) as AgentState

/** A fast policy for tests: 10 ms → 40 ms, 3 s budget. */
export const FAST: RetryPolicy = { baseMs: 10, capMs: 40, budgetMs: 3000 }

export interface RunOptions {
  readonly baseUrl: string
  readonly maxAgeMs?: number | undefined
  readonly direct?: boolean
  readonly policy?: RetryPolicy
  readonly timeoutMs?: number
  readonly trimmed?: boolean
  readonly persistEveryMs?: number
  /** The delivery policy [at-least-once: the suites written before `skip` became the default assert it]. */
  readonly delivery?: DeliveryPolicy
  /** Instead of the live eve log (e.g. the live one with a rotation injected at a chosen call). */
  readonly eveLog?: EveLog.EveLogService
}

export const sendOptions = (dirs: Dirs, o: RunOptions): SendEventsRun => ({
  log: dirs.log,
  maxAgeMs: "maxAgeMs" in o ? o.maxAgeMs : 86_400_000,
  direct: o.direct ?? true,
  policy: o.policy ?? FAST,
  delivery: o.delivery ?? "at-least-once",
  ...(o.persistEveryMs === undefined ? {} : { persistEveryMs: o.persistEveryMs }),
  privacy: Effect.succeed({ local: localNetworks([], []), sids: new Set<number>(), warnings: [] })
})

/** The live TelemetryApi against `o.baseUrl`, signed in with TOKEN (said to come from rule-updater.config). */
export const apiLayers = (o: RunOptions) =>
  Layer.merge(
    TelemetryApi.layer({ baseUrl: o.baseUrl, token: TOKEN, insecure: false, timeoutMs: o.timeoutMs ?? 2000 }),
    Credentials.layerTest({ token: TOKEN, source: "/etc/rule-updater.config", trimmed: o.trimmed ?? false, warnings: [] })
  )

/** The live state store and eve log, captured output, and the API of `o`. */
export const layers = (dirs: Dirs, o: RunOptions) =>
  Layer.mergeAll(
    StateStore.layer(dirs.state),
    o.eveLog === undefined ? EveLog.layer : Layer.succeed(EveLog.EveLog, o.eveLog),
    Output.layerTest(),
    apiLayers(o)
  )

/** One run; its exit and what it wrote on stderr. */
export const runSend = (dirs: Dirs, o: RunOptions) =>
  Effect.gen(function* () {
    const captured = yield* Output.CapturedOutput
    const exit = yield* Effect.exit(Effect.scoped(sendEvents(sendOptions(dirs, o))))
    return { exit, stderr: captured.stderr.join("\n") }
  }).pipe(Effect.provide(layers(dirs, o)))

export const runOk = (dirs: Dirs, o: RunOptions) =>
  Effect.flatMap(runSend(dirs, o), (r) =>
    Exit.isSuccess(r.exit) ? Effect.succeed({ summary: r.exit.value, stderr: r.stderr }) : Effect.dieMessage(`run failed: ${String(r.exit.cause)}\n${r.stderr}`)
  )
