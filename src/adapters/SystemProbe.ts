/**
 * What the heartbeat reports about this sensor (SPEC section 6), found by asking the system: commands run with
 * execFile (never a shell) and a timeout, files read from their paths (all under `--root` in tests). Each probe
 * is independent and total: it yields its value, NotFound (file or command missing) or Failed; one failing
 * probe never stops the others.
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
  notFound,
  type Probe,
  rulesetVersionOf,
  type SensorFacts,
  suricataVersionOf
} from "../domain/Heartbeat.js"
import { parseInstalledRules, ruleScanner } from "../domain/RuleFiles.js"
import { CURRENT, GENERATION_RULES, INCLUDE_FILE } from "../domain/RulesPlan.js"
import { lastStatsBlock, type StatsBlock } from "../domain/StatsLog.js"
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
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

type CommandOutcome = { readonly _tag: "Exited"; readonly result: CommandResult } | Probe<never>

const MAX_OUTPUT = 1024 * 1024

/** Runs `file args` without a shell; a missing command is NotFound, a timeout or spawn failure Failed. */
export const runCommand = (file: string, args: ReadonlyArray<string>, timeoutMs: number): Effect.Effect<CommandOutcome> =>
  Effect.async<CommandOutcome>((resume) => {
    const child = execFile(
      file,
      [...args],
      { timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: MAX_OUTPUT, encoding: "utf8", windowsHide: true },
      (err, stdout, stderr) => {
        if (err === null) return resume(Effect.succeed({ _tag: "Exited", result: { exitCode: 0, stdout, stderr } }))
        const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null; code?: unknown }
        if (e.code === "ENOENT") return resume(Effect.succeed(notFound(`${file} not found`)))
        if (e.killed === true && e.signal !== null && e.signal !== undefined) {
          return resume(Effect.succeed(failed(`${file} did not finish within ${timeoutMs} ms`)))
        }
        if (typeof e.code === "number") {
          return resume(Effect.succeed({ _tag: "Exited", result: { exitCode: e.code, stdout, stderr } }))
        }
        if (e.signal !== null && e.signal !== undefined) return resume(Effect.succeed(failed(`${file} killed by ${e.signal}`)))
        const code = typeof e.code === "string" ? e.code : "error"
        resume(Effect.succeed(failed(`${file} could not run (${code})`)))
      }
    )
    return Effect.sync(() => void child.kill("SIGKILL"))
  })

const firstLine = (s: string) => s.trim().split(/\r?\n/)[0]?.slice(0, 200) ?? ""

const exited = <A>(
  outcome: CommandOutcome,
  f: (r: CommandResult) => Probe<A>
): Probe<A> => (outcome._tag === "Exited" ? f(outcome.result) : outcome)

export const softwareVersion = (cmd: string, timeoutMs: number): Effect.Effect<Probe<string>> =>
  Effect.map(runCommand(cmd, ["-v"], timeoutMs), (o) =>
    exited(o, (r) => {
      const v = firstLine(r.stdout)
      if (r.exitCode !== 0) return failed(`${cmd} -v exited ${r.exitCode}: ${firstLine(r.stderr)}`)
      return v === "" ? failed(`${cmd} -v printed nothing`) : found(v)
    })
  )

export const suricataVersion = (cmd: string, timeoutMs: number): Effect.Effect<Probe<string>> =>
  Effect.map(runCommand(cmd, ["-V"], timeoutMs), (o) =>
    exited(o, (r) => {
      if (r.exitCode !== 0) return failed(`${cmd} -V exited ${r.exitCode}: ${firstLine(r.stderr)}`)
      // Some builds print the banner on stderr.
      const v = suricataVersionOf(r.stdout) ?? suricataVersionOf(r.stderr)
      return v === undefined ? failed(`${cmd} -V printed no " version ": ${firstLine(r.stdout)}`) : found(v)
    })
  )

/** `rc.d/suricata status`: exit 0 is Running, any other exit Stopped. */
export const suricataRunning = (rc: string, timeoutMs: number): Effect.Effect<Probe<boolean>> =>
  Effect.map(runCommand(rc, ["status"], timeoutMs), (o) => exited(o, (r) => found(r.exitCode === 0)))

// --- files ---

const errCode = (e: unknown) => (e as NodeJS.ErrnoException | undefined)?.code ?? "error"

const fileProbe = <A>(path: string, body: () => Promise<A>): Effect.Effect<Probe<A>> =>
  Effect.promise(async (): Promise<Probe<A>> => {
    try {
      return found(await body())
    } catch (e) {
      const code = errCode(e)
      if (code === "ENOENT" || code === "ENOTDIR") return notFound(`${path} not found`)
      const why = typeof (e as { syscall?: unknown } | undefined)?.syscall === "string" || !(e instanceof Error) ? code : e.message
      return failed(`${path}: ${String(why).split("\n")[0]!.slice(0, 200)}`)
    }
  })

export const rulesetVersion = (path: string): Effect.Effect<Probe<string | number>> =>
  fileProbe(path, async () => rulesetVersionOf(await readFile(path, "utf8")))

export const ipsMode = (path: string): Effect.Effect<Probe<boolean>> =>
  fileProbe(path, async () => isInlineMode(await readFile(path, "utf8")))

export const telemetrySids = (path: string): Effect.Effect<Probe<ReadonlySet<number>>> =>
  fileProbe(path, async () => parseTelemetrySids(await readFile(path, "utf8")).sids)

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
 * that is missing is skipped; when every named file is missing the probe is NotFound.
 */
export const installedSids = (listPath: string, rulesDir: string): Effect.Effect<Probe<ReadonlySet<number>>> =>
  Effect.flatMap(
    fileProbe(listPath, async () => parseInstalledRules(await readFile(listPath, "utf8"))),
    (list): Effect.Effect<Probe<ReadonlySet<number>>> => {
      if (list._tag !== "Found") return Effect.succeed(list)
      return Effect.promise(async () => {
        const sids = new Set<number>()
        let missing = 0
        for (const name of list.value.files) {
          const path = join(rulesDir, name)
          try {
            await addSidsOfFile(path, sids)
          } catch (e) {
            const code = errCode(e)
            if (code === "ENOENT") missing++
            else return failed(`${path}: ${code}`)
          }
        }
        const n = list.value.files.length
        if (n > 0 && missing === n) return notFound(`none of the ${n} rule files of ${listPath} is in ${rulesDir}`)
        return found(sids)
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

/** The last block of stats.log, read from the end of the file (it grows all day); an empty file has no counters. */
export const lastStats = (path: string): Effect.Effect<Probe<StatsBlock>> =>
  fileProbe(path, async () => {
    const fh = await open(path, "r")
    try {
      const size = (await fh.stat()).size
      // Just rotated: no counters yet, so every one is null (a non-empty file without a block is an error).
      if (size === 0) return { date: "", counters: new Map<string, number>() }
      for (let window = TAIL_START; ; window *= 4) {
        const start = Math.max(0, size - window)
        const buf = Buffer.alloc(size - start)
        const { bytesRead } = await fh.read(buf, 0, buf.length, start)
        const block = lastStatsBlock(buf.subarray(0, bytesRead).toString("utf8"), start > 0)
        if (block !== undefined) return block
        if (start === 0) throw new Error("no stats block in it")
        if (window >= TAIL_MAX) throw new Error(`no Date: line in its last ${TAIL_MAX} bytes`)
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
