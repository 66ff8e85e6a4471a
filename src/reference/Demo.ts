/**
 * `demo` (what `npm start` runs): the whole loop on one machine, in well under a minute. Starts the reference
 * service in-process on a free loopback port, builds a sensor tree under a temporary `--root` (the bundled
 * sample eve log with its timestamps moved to the last two hours, suricata.yaml, stats.log, stand-in
 * opnsense-version / suricata / rc.d scripts, and a token), then runs the agent's own commands against it as
 * child processes, exactly as an operator would: rules update, send-events, send-heartbeat, sensor-info and
 * status. It ends with what left the sensor: counts, what was masked and dropped, one event before and after,
 * and the service's privacy check. With `--serve` the service and the status page stay up until Ctrl-C.
 *
 * A command this build does not have is reported and skipped (and the demo then fails if nothing was sent).
 */
import { Clock, Effect } from "effect"
import { randomBytes } from "node:crypto"
import { appendFile, chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { Output } from "../adapters/Output.js"
import { setTokenInText } from "../domain/TokenSource.js"
import { make as makeApi } from "../adapters/TelemetryApi.js"
import { parseLicenseStatus } from "../domain/License.js"
import { redact } from "../domain/Token.js"
import { resolvePaths } from "../domain/Paths.js"
import { assets } from "./Assets.js"
import { DemoFailure, runCli, startChild } from "./DemoChild.js"
import { HOME_NET, rebaseLog, SCRIPTS, statsLog, SURICATA_YAML } from "./DemoSensor.js"
import { untilSignal } from "./RunService.js"
import * as SqliteStore from "./SqliteStore.js"
import { start as startService } from "./Service.js"
import type { DemoOptions } from "./DemoOptions.js"


/** What the demo reads: `demo`'s options Schema (./DemoOptions.ts), and what the command and tests add. */
export type DemoRun = Pick<DemoOptions, "serve"> &
  Partial<Pick<DemoOptions, "root" | "statusListen">> & {
    readonly listen: { readonly host: string; readonly port: number }
    /** argv that runs this CLI (`node bin/etpro-telemetry`, or `node --import tsx src/main/bin.ts`). */
    readonly cli: ReadonlyArray<string>
    /** Per command [45 s]. */
    readonly stepTimeoutMs?: number
    /** The age limit of send-events (`--max-age`), and of what dump explains (`--since`): the CLI's default. */
    readonly maxAge: string
  }

/** The demo's service fails one event in this many (src/reference/Api.ts `eventFaults`). */
const EVENT_FAULTS = 7


const indent = (text: string) =>
  text.trimEnd().split("\n").filter((l) => l !== "").map((l) => `    ${l}`).join("\n")

const top = (m: Map<string, number>, n = 8) =>
  [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n).map(([k, v]) => `${k} ×${v}`).join(", ") || "none"

export const demo = (opts: DemoRun) =>
  Effect.scoped(
    Effect.gen(function* () {
      const out = yield* Output
      const say = (text: string) => out.out(`${text}\n`)
      const began = yield* Clock.currentTimeMillis
      const timeoutMs = opts.stepTimeoutMs ?? 45_000

      // ---- the sensor tree
      const temporary = opts.root === undefined
      const root = opts.root ?? (yield* Effect.promise(() => mkdtemp(join(tmpdir(), "etpro-demo-"))))
      if (temporary) yield* Effect.addFinalizer(() => Effect.promise(() => rm(root, { recursive: true, force: true })))
      const paths = resolvePaths({ root })
      const token = `demo-${randomBytes(18).toString("base64url")}`
      const now = yield* Clock.currentTimeMillis
      const sample = yield* Effect.promise(() => readFile(assets().sampleEve, "utf8"))
      const eveText = rebaseLog(sample, now)
      const eveFile = join(paths.logDir, "eve.json")
      // Delivered in two halves: the first under the default policy (skip), the second under at-least-once.
      const all = eveText.split("\n").filter((l) => l !== "")
      const half = Math.ceil(all.length / 2)
      const firstHalf = all.slice(0, half).map((l) => `${l}\n`).join("")
      const secondHalf = all.slice(half).map((l) => `${l}\n`).join("")
      yield* Effect.promise(async () => {
        const file = async (path: string, text: string, mode = 0o644) => {
          await mkdir(dirname(path), { recursive: true })
          await writeFile(path, text, { mode })
          await chmod(path, mode)
        }
        await file(paths.suricataYaml, SURICATA_YAML)
        await file(paths.ruleUpdaterConfig, setTokenInText("", token), 0o600)
        await file(eveFile, firstHalf)
        await file(paths.statsLog, statsLog(now))
        await file(paths.commands.opnsenseVersion, SCRIPTS.opnsenseVersion, 0o755)
        await file(paths.commands.suricata, SCRIPTS.suricata, 0o755)
        await file(paths.commands.suricataRc, SCRIPTS.suricataRc, 0o755)
        await mkdir(paths.rulesDir, { recursive: true })
        await mkdir(dirname(paths.state), { recursive: true })
      })

      // ---- the service
      const svc = yield* startService({ host: opts.listen.host, port: opts.listen.port, tokens: [token], eventFaults: EVENT_FAULTS })
      const lines = eveText.split("\n").filter((l) => l !== "").length
      yield* say("etpro-telemetry demo: the agent and the reference telemetry service, end to end on this machine")
      yield* say(`  service      ${svc.url}  (in-process, in-memory database, ET Pro ${svc.rulesets.pro.version})`)
      yield* say(`  sensor tree  ${root}${temporary ? "  (temporary)" : ""}`)
      yield* say(`  eve log      ${lines} sample lines, timestamps moved to the last two hours; HOME_NET ${HOME_NET}`)
      yield* say(`  every command below also gets --root ${root} --base-url ${svc.url}`)
      yield* say(`  the service answers 503 to one event in ${EVENT_FAULTS}, on purpose, to show the two delivery policies`)

      // ---- the agent's commands
      const failures: Array<string> = []
      const missing: Array<string> = []
      const step = (args: ReadonlyArray<string>, tree = true) =>
        Effect.gen(function* () {
          yield* say(`\n$ etpro-telemetry ${args.join(" ")}`)
          const r = yield* runCli(opts.cli, [...args, ...(tree ? ["--root", root, "--base-url", svc.url] : [])], timeoutMs)
          if (r.missing) {
            missing.push(args.join(" "))
            yield* say("    (not in this build yet)")
            return r
          }
          const text = indent(redact(`${r.stdout}${r.stderr}`, token))
          if (text !== "") yield* say(text)
          if (r.code !== 0) {
            failures.push(`${args.join(" ")} exited ${r.code}`)
            yield* say(`    (exit code ${r.code})`)
          }
          return r
        })

      yield* step(["rules", "update"])
      // The default policy, as the vendor asks: an event the service fails is skipped, never sent again.
      const skipRun = yield* step(["send-events", "--direct", "--max-age", opts.maxAge])
      yield* Effect.promise(() => appendFile(eveFile, secondHalf))
      // For one's own collector: retried until answered.
      const aloRun = yield* step(["send-events", "--direct", "--max-age", opts.maxAge, "--delivery", "at-least-once"])
      const skipped = Number(/(\d+) skipped/.exec(skipRun.stderr)?.[1] ?? 0)
      const retried = (aloRun.stderr.match(/retrying in/g) ?? []).length
      yield* step(["send-heartbeat", "--direct"])
      yield* step(["sensor-info"])
      yield* step(["status"])

      // ---- what left the sensor
      const report = yield* explainByDump(opts.cli, root, eveText, opts.maxAge, timeoutMs)
      const counts = yield* svc.store.counts
      const sensors = yield* svc.store.sensors
      const stored = yield* svc.store.events({ limit: 1000 })
      yield* say("\nWhat left the sensor")
      yield* say(
        `  ${counts.events} events and ${counts.heartbeats} heartbeat(s) reached the service; ` +
          `${report.selected} of ${report.alerts} alerts were eligible (alerts in telemetry_sids.txt, at most ${opts.maxAge} old), ` +
          `${report.lines - report.alerts} other records stay on the sensor`
      )
      yield* say(
        `  delivery skip (the default): ${skipped} event(s) the service failed were skipped, never sent again; ` +
          `delivery at-least-once: ${retried} retry wait(s), every event delivered`
      )
      yield* say(`  masked   ${top(report.masked)}`)
      yield* say(`  dropped  ${top(report.dropped)}`)
      yield* say(
        `  the service's privacy check found ${counts.violations} violation(s) in ${counts.events} events ` +
          `(unmasked private/link-local addresses, keys outside the allow-lists)`
      )
      const example = report.example === undefined ? undefined : stored.find((e) => e.body === report.example!.sent)
      if (report.example !== undefined) {
        yield* say("  one event, as recorded by Suricata and as the service received it:")
        yield* say(`    recorded  ${report.example.recorded}`)
        yield* say(`    received  ${example?.body ?? report.example.sent}`)
      }
      const status = sensors[0] === undefined ? ("unknown" as const) : (yield* sensorStatus(svc.url, token))
      yield* say(`  license status at the service: ${status}`)
      if (missing.length > 0) yield* say(`  not in this build yet (skipped): ${missing.join(", ")}`)

      const took = ((yield* Clock.currentTimeMillis) - began) / 1000
      if (opts.serve) {
        const page = yield* startChild(opts.cli, [
          "status", "--serve", opts.statusListen ?? "127.0.0.1:0", "--root", root, "--base-url", svc.url
        ])
        yield* say(`\nserving (Ctrl-C stops):`)
        yield* say(`  status page        ${page.url}`)
        yield* say(`  telemetry service  ${svc.url}  (admin: curl -H 'X-Admin-Key: ${svc.adminKey}' ${svc.url}/admin/sensors)`)
        yield* untilSignal
      } else {
        yield* say(`\ndone in ${took.toFixed(1)} s${failures.length > 0 ? `; failed: ${failures.join("; ")}` : ""}`)
      }
      if (failures.length > 0 || counts.events === 0 || status !== "ACTIVE") {
        return yield* new DemoFailure({
          message: `the demo did not complete: ${[...failures, ...(status !== "ACTIVE" ? [`status ${status}`] : [])].join("; ") || "no events reached the service"}`
        })
      }
    })
  )

/** The argv that runs this CLI again: the way this process was started when it is the CLI, else the bin. */
const cliArgv = (binPath: string): Array<string> => {
  const self = process.argv[1] ?? ""
  return /(?:bin\/etpro-telemetry|dist\/bin\.js|src\/main\/bin\.ts)$/.test(self)
    ? [process.execPath, ...process.execArgv, self]
    : [process.execPath, binPath]
}

/** The `demo` command's body: this CLI as the agent, an in-memory service. */
export const runDemo = (opts: Omit<DemoRun, "cli">) =>
  demo({ ...opts, cli: cliArgv(assets().cli) }).pipe(Effect.provide(SqliteStore.layerMemory))

const sensorStatus = (baseUrl: string, token: string) =>
  Effect.scoped(
    Effect.gen(function* () {
      const api = yield* makeApi({ baseUrl, token, insecure: false, timeoutMs: 5000 })
      const info = yield* api.sensorInfo
      return parseLicenseStatus(info.sensor_status)
    })
  ).pipe(Effect.catchAllCause(() => Effect.succeed("unknown" as const)))

interface Explained {
  readonly dropped: ReadonlyArray<string>
  readonly masked: ReadonlyArray<{ readonly path: string }>
}

/** The recorded line an event came from: same time, same rule. */
const recordedLine = (eveText: string, sent: string): string | undefined => {
  const key = (r: { timestamp?: unknown; alert?: { signature_id?: unknown } }) => `${String(r.timestamp)} ${String(r.alert?.signature_id)}`
  const want = key(JSON.parse(sent))
  return eveText.split("\n").find((l) => {
    try {
      return l !== "" && key(JSON.parse(l)) === want
    } catch {
      return false
    }
  })
}

/**
 * What left the sensor and why, as the operator sees it: the agent's own `dump --explain` (the selection and
 * sanitisation of send-events, with what was masked and dropped), run like the other commands.
 */
const explainByDump = (cli: ReadonlyArray<string>, root: string, eveText: string, maxAge: string, timeoutMs: number) =>
  Effect.gen(function* () {
    const r = yield* runCli(cli, ["dump", "--explain", "--since", maxAge, "--root", root], timeoutMs)
    // The ledger's words (src/domain/DeliveryLedger.ts), then dump's own.
    const summary = /(\d+) selected of (\d+) lines, .*?; (\d+) alerts/.exec(r.stderr)
    const report = {
      lines: Number(summary?.[2] ?? 0),
      alerts: Number(summary?.[3] ?? 0),
      selected: Number(summary?.[1] ?? 0),
      masked: new Map<string, number>(),
      dropped: new Map<string, number>(),
      example: undefined as { recorded: string; sent: string } | undefined
    }
    const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1)
    for (const text of r.stdout.split("\n")) {
      if (text === "") continue
      const ex = JSON.parse(text) as Explained
      ex.masked.forEach((m) => bump(report.masked, m.path))
      ex.dropped.forEach((d) => bump(report.dropped, d))
      // Show an event where free text was masked too, if there is one.
      if (report.example === undefined && ex.masked.some((m) => m.path.startsWith("tls.") || m.path.startsWith("http."))) {
        // The body exactly as sent (a flow_id may not survive JSON.parse): `{"sent":BODY,"dropped":[...`.
        const sent = text.slice('{"sent":'.length, text.indexOf(',"dropped":['))
        report.example = { recorded: recordedLine(eveText, sent) ?? sent, sent }
      }
    }
    return report
  })
