/**
 * Running the CLI as a child process, from the sources (tsx) so the tests check what is in the tree, not a
 * stale bundle; and a sensor tree under a temp `--root` for it.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { chmod, mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { setTokenInText } from "../../src/domain/TokenSource.js"
import { resolvePaths } from "../../src/domain/Paths.js"
import { rebaseLog } from "../../src/reference/DemoSensor.js"
import { type Ran, runProcess } from "../support/BuiltCli.js"

export const REPO = resolve(import.meta.dirname, "../..")
export const CLI = [process.execPath, "--import", "tsx", join(REPO, "src/main/bin.ts")]

export type { Ran }

export const runCli = (args: ReadonlyArray<string>, env: Record<string, string> = {}, timeoutMs = 60_000) =>
  runProcess(CLI[0]!, [...CLI.slice(1), ...args], env, timeoutMs)

export interface ServiceChild {
  readonly url: string
  readonly adminKey: string | undefined
  readonly child: ChildProcess
  readonly output: () => { stdout: string; stderr: string }
  /** SIGTERM, and the exit code. */
  readonly stop: () => Promise<number>
  /** Peak resident set size of the service process (Linux /proc), bytes. */
  readonly peakRss: () => Promise<number | undefined>
}

/** Starts `service` and waits for `listening on`. */
export const startServiceChild = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  new Promise<ServiceChild>((done, fail) => {
    const child = spawn(CLI[0]!, [...CLI.slice(1), "service", ...args], { cwd: REPO, env: { ...process.env, ...env } })
    let stdout = ""
    let stderr = ""
    let started = false
    const exited = new Promise<number>((r) => child.on("close", (code) => r(code ?? -1)))
    child.stderr.on("data", (c: Buffer) => void (stderr += c))
    child.stdout.on("data", (c: Buffer) => {
      stdout += c
      const m = /listening on (\S+)\n(?:admin key (\S+)\n)?/.exec(stdout)
      // Wait for the admin key line too when one is generated (it follows at once).
      if (m !== null && !started && (m[2] !== undefined || env.ETPRO_SERVICE_ADMIN_KEY !== undefined || args.includes("--admin-key"))) {
        started = true
        done({
          url: m[1]!,
          adminKey: m[2],
          child,
          output: () => ({ stdout, stderr }),
          stop: () => {
            child.kill("SIGTERM")
            return exited
          },
          peakRss: async () => {
            const status = await readFile(`/proc/${child.pid}/status`, "utf8").catch(() => "")
            const kb = /VmHWM:\s+(\d+) kB/.exec(status)
            return kb === null ? undefined : Number(kb[1]) * 1024
          }
        })
      }
    })
    void exited.then((code) => {
      if (!started) fail(new Error(`service exited ${code} before listening: ${stderr}`))
    })
  })

export const admin = async (svc: ServiceChild, path: string, key = svc.adminKey) => {
  const r = await fetch(svc.url + path, { headers: { "x-admin-key": key ?? "" } })
  return (await r.json()) as any
}

/**
 * A sensor tree: suricata.yaml, the token, and an eve log (the bundled sample, moved to the last hours). The
 * token sits in rule-updater.config (OPNsense's, the fallback) or in the agent's own token file.
 */
export const sensorTree = async (token: string, eve?: string, tokenIn: "config" | "file" = "config") => {
  const root = await mkdtemp(join(tmpdir(), "e2e-sensor-"))
  const paths = resolvePaths({ root })
  const sample = eve ?? (await readFile(join(REPO, "fixtures/sample/eve.json"), "utf8"))
  const text = eve ?? rebaseLog(sample, Date.now())
  const file = async (path: string, body: string, mode = 0o644) => {
    await mkdir(dirname(path), { recursive: true })
    await writeFile(path, body, { mode })
    await chmod(path, mode)
  }
  await file(paths.suricataYaml, 'vars:\n  address-groups:\n    HOME_NET: "[192.168.0.0/16,198.51.100.0/24]"\n')
  if (tokenIn === "config") await file(paths.ruleUpdaterConfig, setTokenInText("", token), 0o600)
  else await file(paths.tokenFile, `${token}\n`, 0o600)
  await file(join(paths.logDir, "eve.json"), text)
  await mkdir(dirname(paths.state), { recursive: true })
  return { root, paths, eve: text }
}
