/**
 * Runs the built CLI (`bin/etpro-telemetry`, the bundle in dist/) as a child process, as an operator or cron
 * would. Builds it first when dist/ is missing or older than any source file, so a test never checks a
 * stale bundle.
 */
import { execFile, spawn, type SpawnOptions } from "node:child_process"
import { existsSync, readdirSync, statSync } from "node:fs"
import { join, resolve } from "node:path"
import { promisify } from "node:util"

export const REPO = resolve(import.meta.dirname, "../..")
export const BIN = join(REPO, "bin/etpro-telemetry")
const BUNDLE = join(REPO, "dist/bin.js")

const newestSource = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((newest, e) => {
    const p = join(dir, e.name)
    return Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs)
  }, 0)

export const ensureBuilt = async (): Promise<void> => {
  if (existsSync(BUNDLE) && statSync(BUNDLE).mtimeMs >= newestSource(join(REPO, "src"))) return
  await promisify(execFile)(process.execPath, [join(REPO, "scripts/build.mjs")], { cwd: REPO })
}

export interface Ran {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs a command to its end (SIGKILL after `timeoutMs`), collecting its output. */
export const collect = (command: string, args: ReadonlyArray<string>, options: SpawnOptions, timeoutMs = 30_000) =>
  new Promise<Ran>((done, fail) => {
    const child = spawn(command, args, { ...options, stdio: "pipe" })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (c: Buffer) => void (stdout += c))
    child.stderr.on("data", (c: Buffer) => void (stderr += c))
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs)
    child.on("error", fail)
    child.on("close", (code) => {
      clearTimeout(timer)
      done({ code, stdout, stderr })
    })
  })

/** A command in the repository, with this process's environment plus `env`. */
export const runProcess = (
  command: string,
  args: ReadonlyArray<string>,
  env: Record<string, string> = {},
  timeoutMs = 30_000
) => collect(command, args, { cwd: REPO, env: { ...process.env, FORCE_COLOR: "0", ...env } }, timeoutMs)

export const runBuilt = (args: ReadonlyArray<string>, timeoutMs = 30_000) =>
  runProcess(process.execPath, [BIN, ...args], {}, timeoutMs)
