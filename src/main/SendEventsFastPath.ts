/**
 * Start-up fast path of `send-events` (cron runs it every minute): answers "nothing new" before @effect/cli
 * and Effect are loaded, with plain Node, the pure checkpoint model and the shared fingerprint, so such a
 * run costs little more than starting Node. Read-only and conservative: anything it does not fully
 * understand (an unknown flag, a missing or odd state file, a token that is missing or needs trimming, a
 * file with new bytes) returns false and the full command runs, which reports and handles it.
 */
import { readdir, readFile, stat } from "node:fs/promises"
import { join } from "node:path"
import { setFlagsFromString } from "node:v8"
import { observeFile } from "../adapters/Fingerprint.js"
import type { FileCheckpoint } from "../domain/AgentState.js"
import { isBaseUrl } from "../domain/BaseUrl.js"
import { hasNewBytes, type ObservedFile, planRead } from "../domain/Checkpoint.js"
import { parseDuration } from "../domain/Duration.js"
import { isEveFileName } from "../domain/EveFileNames.js"
import { chooseToken } from "../domain/TokenSource.js"
import { resolvePaths } from "../domain/Paths.js"
import { DEFAULT_BASE_URL, DEFAULT_MAX_AGE, DEFAULT_TIMEOUT } from "./FlagDefaults.js"
import type { SendEventsOptions } from "./SendEventsRun.js"

const VALUE_FLAGS = new Set([
  "--root", "--config", "--suricata-yaml", "--log", "--state", "--base-url", "--max-age", "--timeout", "--home-net", "--sids",
  "--internal-domains"
])
const BOOLEAN_FLAGS = new Set(["--direct", "--insecure", "--no-audit"])

/** `send-events` flags, or undefined for anything unusual (help, unknown flags, repeated flags). */
export const parseFlags = (args: ReadonlyArray<string>): Map<string, string | true> | undefined => {
  const flags = new Map<string, string | true>()
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    const eq = a.indexOf("=")
    const name = eq > 0 ? a.slice(0, eq) : a
    if (flags.has(name)) return undefined
    if (BOOLEAN_FLAGS.has(name) && eq < 0) flags.set(name, true)
    else if (VALUE_FLAGS.has(name)) {
      const v = eq > 0 ? a.slice(eq + 1) : args[++i]
      if (v === undefined || v === "" || v.startsWith("--")) return undefined
      flags.set(name, v)
    } else return undefined
  }
  const maxAge = flags.get("--max-age")
  if (typeof maxAge === "string" && maxAge !== "off" && !(parseDuration(maxAge)! > 0)) return undefined
  const timeout = flags.get("--timeout")
  if (typeof timeout === "string" && !(parseDuration(timeout)! > 0)) return undefined
  const base = flags.get("--base-url")
  if (typeof base === "string" && !isBaseUrl(base)) return undefined
  return flags
}

/**
 * The options of a `send-events` run whose flags `parseFlags` fully understands, or undefined: then the
 * full CLI parses them, so usage errors and help read the same as ever.
 */
export const sendEventsOptions = (args: ReadonlyArray<string>): SendEventsOptions | undefined => {
  const flags = parseFlags(args)
  if (flags === undefined) return undefined
  const get = (k: string) => {
    const v = flags.get(k)
    return typeof v === "string" ? v : undefined
  }
  const paths = resolvePaths({
    root: get("--root"), config: get("--config"), suricataYaml: get("--suricata-yaml"), log: get("--log"), state: get("--state"),
    sids: undefined
  })
  const maxAge = get("--max-age") ?? DEFAULT_MAX_AGE
  return {
    paths,
    baseUrl: get("--base-url") ?? DEFAULT_BASE_URL,
    insecure: flags.get("--insecure") === true,
    timeoutMs: parseDuration(get("--timeout") ?? DEFAULT_TIMEOUT)!,
    maxAgeMs: maxAge === "off" ? undefined : parseDuration(maxAge)!,
    direct: flags.get("--direct") === true,
    sidsFile: get("--sids") ?? paths.telemetrySids,
    homeNet: get("--home-net"),
    internalDomains: get("--internal-domains"),
    audit: flags.get("--no-audit") !== true
  }
}

const isCheckpoint = (c: unknown): c is FileCheckpoint => {
  if (typeof c !== "object" || c === null) return false
  const f = c as Record<string, unknown>
  return typeof f.fingerprint === "string" && typeof f.path === "string" && typeof f.dev === "number" &&
    typeof f.ino === "number" && Number.isSafeInteger(f.offset) && (f.offset as number) >= 0
}

/** The log's files, or undefined when one vanished while looking (a rotation: let the full run see to it). */
const listFiles = async (path: string): Promise<Array<ObservedFile> | undefined> => {
  const s = await stat(path)
  const entries = s.isDirectory()
    ? (await readdir(path)).filter(isEveFileName).map((n) => join(path, n))
    : [path]
  const out: Array<ObservedFile> = []
  for (const p of entries) {
    const o = await observeFile(p)
    if (o === undefined) return undefined
    out.push(o)
  }
  return out
}

/** True when a run would find nothing new to read: the caller exits 0 without loading anything else. */
export const nothingNew = async (args: ReadonlyArray<string>): Promise<boolean> => {
  const flags = parseFlags(args)
  if (flags === undefined) return false
  const get = (k: string) => {
    const v = flags.get(k)
    return typeof v === "string" ? v : undefined
  }
  const paths = resolvePaths({ root: get("--root"), config: get("--config"), log: get("--log"), state: get("--state") })
  // The token must be usable as it is (same files, same order as Credentials), or the full command has something to say.
  const own = await readFile(paths.tokenFile, "utf8").catch((e: NodeJS.ErrnoException) => (e.code === "ENOENT" ? undefined : Promise.reject(e)))
  const ini = own === undefined ? await readFile(paths.ruleUpdaterConfig, "utf8") : undefined
  const token = chooseToken({ path: paths.tokenFile, text: own }, { path: paths.ruleUpdaterConfig, text: ini })
  if (!("ok" in token) || token.ok.trimmed) return false
  const state = JSON.parse(await readFile(paths.state, "utf8")) as { version?: unknown; files?: unknown }
  if (state.version !== 1 || !Array.isArray(state.files) || !state.files.every(isCheckpoint)) return false
  const stored: ReadonlyArray<FileCheckpoint> = state.files
  const files = await listFiles(paths.logDir)
  if (files === undefined) return false
  const plans = planRead(files, stored)
  // A file unknown to the checkpoint, or one whose path changed, is left to the full run to record.
  const known = plans.every((p) => p.reason === "resume" && stored.some((c) => c.fingerprint === p.fingerprint && c.path === p.path))
  return known && plans.length === stored.length && !hasNewBytes(plans)
}

/**
 * `send-events` before the CLI, for bin.ts and the startup snapshot (./SendEventsSnapshot.ts): nothing new
 * ends the run here; flags this parser understands run the command's Effect program (./SendEventsEntry.ts)
 * without @effect/cli. False: the full CLI must run it (help, odd flags), and nothing was done.
 */
export const startSendEvents = async (args: ReadonlyArray<string>): Promise<boolean> => {
  if (await nothingNew(args).catch(() => false)) return true
  const options = sendEventsOptions(args)
  if (options === undefined) return false
  // llhttp's WebAssembly: baseline code only, instead of TurboFan on background threads (~35 MiB less peak
  // RSS for a cron run); must be set before undici loads.
  setFlagsFromString("--liftoff-only")
  const { sendEventsEntry } = await import("./SendEventsEntry.js")
  await sendEventsEntry(options)
  return true
}
