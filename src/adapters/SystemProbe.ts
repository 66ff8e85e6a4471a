/**
 * What the heartbeat reports about this sensor (SPEC section 6), found by asking the system: commands run with
 * execFile (never a shell) and a timeout, files read from their paths (all under `--root` in tests). Each probe
 * is independent and total: it yields its value, NotFound or Failed; one failing probe never stops the others.
 *
 * Missing and failing are told apart as the stock plugin's `telemetry/system.py` (opnsense/plugins
 * security/etpro-telemetry, plugin 1.8) tells them apart, so that domain/Heartbeat sends the stock values:
 * - a program is NotFound only when exec says ENOENT (Python's FileNotFoundError); any other spawn error, a
 *   timeout (ours: system.py waits forever) or output that is not UTF-8 (`text=True`) is Failed. Its exit code
 *   does not make it fail: system.py sends the stdout whatever the exit code, and a status that is not 0 (a
 *   signal too) is "Stopped";
 * - a file is NotFound when `os.path.isfile` would be false: absent, not a regular file, or not even
 *   stat-able; one that is a file but cannot be read or understood is Failed.
 */
import { Context, Effect, Layer } from "effect"
import { execFile } from "node:child_process"
import { createReadStream } from "node:fs"
import { open, readFile, stat } from "node:fs/promises"
import { join } from "node:path"
import { createInterface } from "node:readline"
import {
  failed,
  found,
  isInlineMode,
  type Json,
  notFound,
  type Probe,
  rulesetVersionOf,
  type SensorFacts,
  suricataVersionOf
} from "../domain/Heartbeat.js"
import { parseInstalledRules, ruleScanner } from "../domain/RuleFiles.js"
import { CURRENT, GENERATION_RULES, INCLUDE_FILE } from "../domain/RulesPlan.js"
import { lastStatsRows, type StatsBlock } from "../domain/StatsLog.js"
import { parseTelemetrySids } from "../domain/TelemetrySids.js"

export interface ProbePaths {
  readonly suricataYaml: string
  readonly installedRules: string
  readonly opnsenseRulesDir: string
  readonly agentRulesDir: string
  readonly telemetrySids: string
  readonly telemetryVersion: string
  readonly statsLog: string
  readonly commands: {
    readonly opnsenseVersion: string
    readonly suricata: string
    readonly suricataRc: string
  }
}

export interface ProbeOptions {
  /** Per command [5 s]. */
  readonly commandTimeoutMs?: number
}

export interface SystemProbeService {
  /** Every fact, probed concurrently; never fails. */
  readonly facts: Effect.Effect<SensorFacts>
}

export class SystemProbe extends Context.Tag("etpro/SystemProbe")<SystemProbe, SystemProbeService>() {}

// --- commands ---

export interface CommandResult {
  /** null when a signal ended it. */
  readonly exitCode: number | null
  readonly signal: string | null
  readonly stdout: string
  readonly stderr: string
}

type CommandOutcome = { readonly _tag: "Exited"; readonly result: CommandResult } | Probe<never>

const MAX_OUTPUT = 1024 * 1024

/** Strict UTF-8, as Python's `text=True` decodes: bytes that are not UTF-8 are a failure, not U+FFFD. */
const utf8 = (b: Buffer | string): string => (typeof b === "string" ? b : new TextDecoder("utf-8", { fatal: true }).decode(b))

/** Runs `file args` without a shell; a missing program is NotFound, a timeout or spawn failure Failed. */
export const runCommand = (file: string, args: ReadonlyArray<string>, timeoutMs: number): Effect.Effect<CommandOutcome> =>
  Effect.async<CommandOutcome>((resume) => {
    const child = execFile(
      file,
      [...args],
      { timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: MAX_OUTPUT, encoding: "buffer", windowsHide: true },
      (err, stdoutBytes, stderrBytes) => {
        const e = err as (NodeJS.ErrnoException & { killed?: boolean; signal?: NodeJS.Signals | null; code?: unknown }) | null
        if (e?.code === "ENOENT") return resume(Effect.succeed(notFound(`${file} not found`)))
        if (e?.killed === true) return resume(Effect.succeed(failed(`${file} did not finish within ${timeoutMs} ms`)))
        if (e !== null && typeof e.code === "string") return resume(Effect.succeed(failed(`${file} could not run (${e.code})`)))
        let stdout: string, stderr: string
        try {
          stdout = utf8(stdoutBytes)
          stderr = utf8(stderrBytes)
        } catch {
          return resume(Effect.succeed(failed(`${file} printed bytes that are not UTF-8`)))
        }
        const exitCode = e === null ? 0 : typeof e.code === "number" ? e.code : null
        const signal = e?.signal ?? null
        resume(Effect.succeed({ _tag: "Exited", result: { exitCode, signal, stdout, stderr } }))
      }
    )
    return Effect.sync(() => void child.kill("SIGKILL"))
  })

const firstLine = (s: string) => s.trim().split(/\r?\n/)[0]?.slice(0, 200) ?? ""

const howItEnded = (cmd: string, r: CommandResult): string | undefined =>
  r.exitCode === 0 ? undefined : r.exitCode === null ? `${cmd} killed by ${r.signal}` : `${cmd} exited ${r.exitCode}: ${firstLine(r.stderr)}`

const exited = <A>(outcome: CommandOutcome, f: (r: CommandResult) => Probe<A>): Probe<A> =>
  outcome._tag === "Exited" ? f(outcome.result) : outcome

/** `opnsense-version -v`: its stdout trimmed, whatever the exit code (system.py line 62). */
export const softwareVersion = (cmd: string, timeoutMs: number): Effect.Effect<Probe<string>> =>
  Effect.map(runCommand(cmd, ["-v"], timeoutMs), (o) =>
    exited(o, (r) => {
      const v = r.stdout.trim()
      return found(v, howItEnded(`${cmd} -v`, r) ?? (v === "" ? `${cmd} -v printed nothing` : undefined))
    })
  )

/** `suricata -V`: its stdout read as system.py lines 65-69 read it, whatever the exit code. */
export const suricataVersion = (cmd: string, timeoutMs: number): Effect.Effect<Probe<string>> =>
  Effect.map(runCommand(cmd, ["-V"], timeoutMs), (o) =>
    exited(o, (r) => {
      const noVersion = r.stdout.includes(" version ") ? undefined : `${cmd} -V printed no " version ": ${firstLine(r.stdout)}`
      return found(suricataVersionOf(r.stdout), howItEnded(`${cmd} -V`, r) ?? noVersion)
    })
  )

/** `rc.d/suricata status`: exit 0 is Running, anything else (a signal too) Stopped (system.py line 74). */
export const suricataRunning = (rc: string, timeoutMs: number): Effect.Effect<Probe<boolean>> =>
  Effect.map(runCommand(rc, ["status"], timeoutMs), (o) => exited(o, (r) => found(r.exitCode === 0)))

// --- files ---

const errCode = (e: unknown) => (e as NodeJS.ErrnoException | undefined)?.code ?? "error"

/** Why `os.path.isfile(path)` would be false, or undefined when it is a regular file (symlinks followed). */
const notAFile = async (path: string): Promise<string | undefined> => {
  try {
    return (await stat(path)).isFile() ? undefined : `${path} is not a file`
  } catch (e) {
    const code = errCode(e)
    return code === "ENOENT" || code === "ENOTDIR" ? `${path} not found` : `${path} cannot be looked up (${code})`
  }
}

const failure = (path: string, e: unknown): Probe<never> => {
  const code = errCode(e)
  const why = typeof (e as { syscall?: unknown } | undefined)?.syscall === "string" || !(e instanceof Error) ? code : e.message
  return failed(`${path}: ${String(why).split("\n")[0]!.slice(0, 200)}`)
}

/** A fact read from a file: NotFound unless it is a file, Failed when reading or understanding it throws. */
const fileProbe = <A>(path: string, body: () => Promise<A>): Effect.Effect<Probe<A>> =>
  Effect.promise(async (): Promise<Probe<A>> => {
    const missing = await notAFile(path)
    if (missing !== undefined) return notFound(missing)
    try {
      return found(await body())
    } catch (e) {
      return failure(path, e)
    }
  })

const readText = async (path: string) => utf8(await readFile(path))

export const rulesetVersion = (path: string): Effect.Effect<Probe<Json>> =>
  fileProbe(path, async () => rulesetVersionOf(await readText(path)))

export const ipsMode = (path: string): Effect.Effect<Probe<boolean>> =>
  fileProbe(path, async () => isInlineMode(await readText(path)))

export const telemetrySids = (path: string): Effect.Effect<Probe<ReadonlySet<number>>> =>
  fileProbe(path, async () => parseTelemetrySids(await readText(path)).sids)

/** Adds the SIDs of one rule file, read line by line (rule files run to tens of megabytes). */
export const addSidsOfFile = async (path: string, into: Set<number>): Promise<void> => {
  const stream = createReadStream(path, { encoding: "utf8", highWaterMark: 256 * 1024 })
  const lines = createInterface({ input: stream, crlfDelay: Infinity })
  const scan = ruleScanner()
  try {
    for await (const line of lines) {
      const sid = scan(line)
      if (sid !== undefined) into.add(sid)
    }
  } finally {
    lines.close()
    stream.destroy()
  }
}

/**
 * The SIDs of the enabled rules in the files installed_rules.yaml names, from the rules directory. A named file
 * that is missing is skipped (system.py line 48), so when all are missing the set is empty.
 */
export const installedSids = (listPath: string, rulesDir: string): Effect.Effect<Probe<ReadonlySet<number>>> =>
  Effect.flatMap(
    fileProbe(listPath, async () => parseInstalledRules(await readText(listPath))),
    (list): Effect.Effect<Probe<ReadonlySet<number>>> => {
      if (list._tag !== "Found") return Effect.succeed(list)
      return Effect.promise(async () => {
        const sids = new Set<number>()
        let missing = 0
        for (const name of list.value.files) {
          const path = join(rulesDir, name)
          if ((await notAFile(path)) !== undefined) {
            missing++
            continue
          }
          try {
            await addSidsOfFile(path, sids)
          } catch (e) {
            return failure(path, e)
          }
        }
        const n = list.value.files.length
        return found(sids, n > 0 && missing === n ? `none of the ${n} rule files of ${listPath} is in ${rulesDir}` : undefined)
      })
    }
  )

/**
 * The rules Suricata runs: the agent's own install when it made one (off OPNsense: its include file), else
 * OPNsense's installed_rules.yaml — never the other way round, so OPNsense's installer rebuilding its list
 * does not change what the heartbeat counts for the agent's install.
 */
const enabledSids = (paths: ProbePaths): Effect.Effect<Probe<ReadonlySet<number>>> =>
  Effect.flatMap(
    Effect.promise(() => stat(join(paths.agentRulesDir, INCLUDE_FILE)).then(() => true, () => false)),
    (own) =>
      own
        ? installedSids(join(paths.agentRulesDir, INCLUDE_FILE), join(paths.agentRulesDir, CURRENT, GENERATION_RULES))
        : installedSids(paths.installedRules, paths.opnsenseRulesDir)
  )

const TAIL_START = 256 * 1024
const TAIL_MAX = 16 * 1024 * 1024

/**
 * The rows of the last block of stats.log, read from the end of the file (it grows all day) until a `------`
 * line bounds them, as the stock reader walks back; a file without one is read whole (up to 16 MiB). An empty
 * file has no rows: every counter null.
 */
export const lastStats = (path: string): Effect.Effect<Probe<StatsBlock>> =>
  fileProbe(path, async () => {
    const fh = await open(path, "r")
    try {
      const size = (await fh.stat()).size
      for (let window = TAIL_START; ; window *= 4) {
        const start = Math.max(0, size - window)
        const buf = Buffer.alloc(size - start)
        const { bytesRead } = await fh.read(buf, 0, buf.length, start)
        const rows = lastStatsRows(buf.subarray(0, bytesRead).toString("utf8"), start > 0)
        if (rows.bounded || start === 0) return { counters: rows.counters }
        if (window >= TAIL_MAX) throw new Error(`no ------ line in its last ${TAIL_MAX} bytes`)
      }
    } finally {
      await fh.close()
    }
  })

// --- the service ---

export const make = (paths: ProbePaths, opts: ProbeOptions = {}): SystemProbeService => {
  const t = opts.commandTimeoutMs ?? 5000
  return {
    facts: Effect.all(
      {
        softwareVersion: softwareVersion(paths.commands.opnsenseVersion, t),
        suricataVersion: suricataVersion(paths.commands.suricata, t),
        suricataRunning: suricataRunning(paths.commands.suricataRc, t),
        rulesetVersion: rulesetVersion(paths.telemetryVersion),
        installedSids: enabledSids(paths),
        telemetrySids: telemetrySids(paths.telemetrySids),
        ipsMode: ipsMode(paths.suricataYaml),
        stats: lastStats(paths.statsLog)
      },
      { concurrency: "unbounded" }
    )
  }
}

export const layer = (paths: ProbePaths, opts: ProbeOptions = {}) => Layer.succeed(SystemProbe, make(paths, opts))

/** A sensor with exactly these facts (tests of the programs). */
export const layerStatic = (facts: SensorFacts) => Layer.succeed(SystemProbe, { facts: Effect.succeed(facts) })
