/**
 * Telling Suricata that its rules changed (SPEC section 8). The default is the signal Suricata itself
 * documents for a live rule reload, USR2, sent to the process named by its pidfile: it reloads the rule files
 * it already includes and nothing else (OPNsense's `configctl ids reload` would rebuild its own rule install
 * instead). `--reload-command` runs a command of the operator's choosing instead (no shell).
 * Each returns a note for the operator's line, or a problem (never throws).
 */
import { Effect } from "effect"
import { execFile } from "node:child_process"
import { readFile } from "node:fs/promises"
import { splitCommandLine } from "../domain/RulesPlan.js"
import { errno } from "./AtomicFile.js"

export interface ReloadResult {
  /** What happened, for the operator's line (`reloaded (USR2 to Suricata, pid 42)`). */
  readonly note: string
  /** Set when the reload failed: the rules are installed but Suricata may still run the old ones. */
  readonly problem?: string | undefined
}

/** Sends SIGUSR2 to the pid in `pidfile`. No pidfile (or a stale one): Suricata is not running, nothing to do. */
export const signalSuricata = (pidfile: string): Effect.Effect<ReloadResult> =>
  Effect.promise(async (): Promise<ReloadResult> => {
    let text: string
    try {
      text = await readFile(pidfile, "utf8")
    } catch (e) {
      if (errno(e) === "ENOENT") return { note: `Suricata is not running (no ${pidfile}); it loads the rules when it starts` }
      return { note: "not reloaded", problem: `cannot read ${pidfile}: ${errno(e) ?? String(e)}` }
    }
    const pid = Number(text.trim())
    if (!/^\d{1,10}$/.test(text.trim()) || pid <= 1) {
      return { note: "not reloaded", problem: `${pidfile} does not hold a process id (${JSON.stringify(text.trim().slice(0, 20))})` }
    }
    try {
      process.kill(pid, "SIGUSR2")
      return { note: `reloaded (USR2 to Suricata, pid ${pid} from ${pidfile})` }
    } catch (e) {
      if (errno(e) === "ESRCH") return { note: `Suricata is not running (${pidfile} names pid ${pid}, which is gone); it loads the rules when it starts` }
      return { note: "not reloaded", problem: `cannot signal pid ${pid} from ${pidfile}: ${errno(e) ?? String(e)}` }
    }
  })

/** Runs `--reload-command` (no shell) with a time limit. */
export const runReloadCommand = (command: string, timeoutMs: number): Effect.Effect<ReloadResult> =>
  Effect.async<ReloadResult>((resume) => {
    const argv = splitCommandLine(command)
    if (!Array.isArray(argv)) {
      return resume(Effect.succeed({ note: "not reloaded", problem: `--reload-command: ${(argv as { error: string }).error}` }))
    }
    const [file, ...args] = argv as ReadonlyArray<string>
    const child = execFile(file!, args, { timeout: timeoutMs, maxBuffer: 1024 * 1024 }, (err, _stdout, stderr) => {
      if (err === null) return resume(Effect.succeed({ note: "reloaded" }))
      const code = (err as NodeJS.ErrnoException).code
      const why =
        code === "ENOENT"
          ? "not found"
          : err.killed
          ? `killed after ${timeoutMs} ms`
          : `exited ${String((err as { code?: unknown }).code ?? "with an error")}`
      const tail = String(stderr).trim().split("\n").pop()?.slice(0, 200) ?? ""
      resume(Effect.succeed({ note: "not reloaded", problem: `reload command ${file} ${why}${tail === "" ? "" : `: ${tail}`}` }))
    })
    return Effect.sync(() => void child.kill())
  })
