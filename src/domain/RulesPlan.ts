/**
 * What a ruleset archive may contain and what of it gets installed (SPEC section 8), as pure decisions:
 * each tar entry is judged from its header alone (path, type, size), the enabled categories are chosen from
 * a `--categories` list, and the small files the installer writes (installed_rules.yaml,
 * telemetry_version.json) are rendered and read back here.
 *
 * A category is the base name of a rule file without `.rules` (`rules/emerging-scan.rules` → `emerging-scan`).
 */
import { Schema } from "effect"

/** Bounds on an archive, so a broken or hostile download cannot fill the disk. */
export interface ArchiveLimits {
  /** Compressed bytes downloaded [128 MiB]. */
  readonly maxArchiveBytes: number
  /** One member, uncompressed [128 MiB]. */
  readonly maxEntryBytes: number
  /** All members together, uncompressed [1 GiB]. */
  readonly maxTotalBytes: number
  /** Members, directories included [20,000]. */
  readonly maxEntries: number
}

const MiB = 1024 * 1024
export const defaultLimits: ArchiveLimits = {
  maxArchiveBytes: 128 * MiB,
  maxEntryBytes: 128 * MiB,
  maxTotalBytes: 1024 * MiB,
  maxEntries: 20_000
}

export const SIDS_FILE = "telemetry_sids.txt"
export const VERSION_FILE = "telemetry_version.json"
/** `{"version": ...}` and perhaps a hash line: a few dozen bytes. */
export const MAX_VERSION_FILE_BYTES = 64 * 1024

/**
 * The archive's own version (SPEC section 8) against the one the service announced: undefined when they
 * agree or the archive does not say, else the reason the archive is refused (retried at the next update).
 */
export const versionMismatch = (announced: string, own: string | undefined): string | undefined =>
  own === undefined || sameVersion(own, announced)
    ? undefined
    : `the archive is version ${JSON.stringify(own)}, not the ${JSON.stringify(announced)} the service announced`

/** A rule file name the installer will write: no path, no leading dot, `.rules` suffix. */
const RULE_FILE = /^[A-Za-z0-9][A-Za-z0-9._+-]*\.rules$/

/** What a tar header shows (node-tar's `ReadEntry` fields). */
export interface EntryHeader {
  readonly path: string
  /** node-tar type name: `File`, `Directory`, `SymbolicLink`, `Link`, ... */
  readonly type: string
  readonly size: number
}

export type EntryVerdict =
  | { readonly kind: "rules"; readonly name: string; readonly category: string }
  | { readonly kind: "sids" }
  /** `rules/telemetry_version.json`: the archive's own version, read (never installed as is). */
  | { readonly kind: "version" }
  /** A harmless member that is never extracted (a directory, `rules/classification.config`, ...). */
  | { readonly kind: "skip" }
  | { readonly kind: "reject"; readonly reason: string; readonly tooLarge?: true }

const FILE_TYPES = new Set(["File", "OldFile", "ContiguousFile"])

/** Judges one member. Anything not a regular file or directory under `rules/` makes the archive unsafe. */
export const classifyEntry = (e: EntryHeader, limits: ArchiveLimits = defaultLimits): EntryVerdict => {
  const p = e.path
  const shown = JSON.stringify(p.length > 120 ? `${p.slice(0, 120)}…` : p)
  if (p.includes("\0")) return { kind: "reject", reason: `member ${shown} has a NUL byte in its name` }
  if (p.includes("\\")) return { kind: "reject", reason: `member ${shown} has a backslash in its name` }
  if (p.startsWith("/") || /^[A-Za-z]:/.test(p)) return { kind: "reject", reason: `member ${shown} is an absolute path` }
  const segments = p.split("/").filter((s) => s !== "" && s !== ".")
  if (segments.includes("..")) return { kind: "reject", reason: `member ${shown} climbs out with ..` }
  if (segments[0] !== "rules") return { kind: "reject", reason: `member ${shown} is outside rules/` }
  if (e.type === "Directory") return { kind: "skip" }
  if (!FILE_TYPES.has(e.type)) {
    return { kind: "reject", reason: `member ${shown} is a ${e.type}, not a regular file` }
  }
  if (!Number.isFinite(e.size) || e.size < 0 || e.size > limits.maxEntryBytes) {
    return { kind: "reject", reason: `member ${shown} is ${e.size} bytes, over the ${limits.maxEntryBytes}-byte limit`, tooLarge: true }
  }
  if (segments.length !== 2) return { kind: "skip" }
  const name = segments[1]!
  if (name === SIDS_FILE) return { kind: "sids" }
  if (name === VERSION_FILE) {
    return e.size > MAX_VERSION_FILE_BYTES
      ? { kind: "reject", reason: `member ${shown} is ${e.size} bytes, over the ${MAX_VERSION_FILE_BYTES}-byte limit`, tooLarge: true }
      : { kind: "version" }
  }
  if (RULE_FILE.test(name)) return { kind: "rules", name, category: name.slice(0, -".rules".length) }
  return { kind: "skip" }
}

/** `--categories`: `all`, or a comma-separated list of categories (a `.rules` suffix is accepted). */
export type Selection = "all" | ReadonlyArray<string>

export const parseCategories = (text: string): Selection | { readonly error: string } => {
  const t = text.trim()
  if (t === "all") return "all"
  const names: Array<string> = []
  for (const raw of t.split(",")) {
    const n = raw.trim().replace(/\.rules$/, "")
    if (n === "") continue
    if (!RULE_FILE.test(`${n}.rules`)) return { error: `${JSON.stringify(raw.trim())} is not a category name` }
    if (!names.includes(n)) names.push(n)
  }
  if (names.length === 0) return { error: "no categories given (a comma-separated list, or all)" }
  return names
}

export const isEnabled = (selection: Selection, category: string): boolean =>
  selection === "all" || selection.includes(category)

export const sameSelection = (a: Selection, b: Selection): boolean =>
  a === "all" || b === "all"
    ? a === b
    : a.length === b.length && [...a].sort().join(",") === [...b].sort().join(",")

export const formatSelection = (s: Selection): string => (s === "all" ? "all" : s.join(","))

/** Categories asked for that the archive does not have (reported as a warning, never a failure). */
export const missingCategories = (selection: Selection, available: ReadonlyArray<string>): ReadonlyArray<string> =>
  selection === "all" ? [] : selection.filter((c) => !available.includes(c))

/**
 * telemetry_version.json: `{"version": ...}`, possibly after a `#@opnsense_download_hash:...` line.
 * Returns the version as text, or undefined when the file says nothing usable.
 */
export const parseVersionFile = (text: string): string | undefined => {
  const body = text
    .split(/\r?\n/)
    .filter((l) => !l.trimStart().startsWith("#"))
    .join("\n")
  try {
    const v = (JSON.parse(body) as { version?: unknown } | null)?.version
    return typeof v === "string" ? (v.trim() === "" ? undefined : v.trim()) : typeof v === "number" ? String(v) : undefined
  } catch {
    return undefined
  }
}

export const renderVersionFile = (version: string): string => `${JSON.stringify({ version })}\n`

/** Whether the service's version means the installed set is current. */
export const sameVersion = (installed: string | undefined, offered: string): boolean =>
  installed !== undefined && installed.trim() === offered.trim()

/** The link in the agent's rules directory that names the generation readers see. */
export const CURRENT = "current"

/** Where a generation keeps its rule files (`<agent dir>/current/rules/<name>.rules`). */
export const GENERATION_RULES = "rules"

/** The agent's include file, in its own directory (never OPNsense's installed_rules.yaml). */
export const INCLUDE_FILE = "etpro-rules.yaml"

/**
 * The include file for suricata.yaml (`include: <agent dir>/etpro-rules.yaml`, last, so it wins): the rule
 * directory of the current generation and `rule-files:` then `- name.rules`, as installed_rules.yaml lists
 * them — so the heartbeat reads it with the same parser.
 */
export const renderInstalledRules = (files: ReadonlyArray<string>, ruleDir?: string): string =>
  `%YAML 1.1\n---\n# written by etpro-telemetry rules update\n` +
  (ruleDir === undefined ? "" : `default-rule-path: ${JSON.stringify(ruleDir)}\n`) +
  `rule-files:\n${files.map((f) => `  - ${f}\n`).join("")}`

/** What is on disk now for one file the install recorded: its SHA-256, or nothing there. */
export type SeenFile = { readonly sha256: string; readonly size: number } | undefined

/**
 * Why an install no longer is what was installed (SPEC section 8: repair what someone else rewrote), or
 * undefined when every recorded file is there with its recorded content. The first difference is named.
 */
export const installDamage = (
  recorded: Readonly<Record<string, string>>,
  seen: Readonly<Record<string, SeenFile>>
): string | undefined => {
  for (const [name, sha256] of Object.entries(recorded)) {
    const now = seen[name]
    if (now === undefined) return `${name} was deleted`
    if (now.sha256 === sha256) continue
    return now.size === 0 ? `${name} was emptied` : `${name} was rewritten`
  }
  return undefined
}

/**
 * `--reload-command`: split into a program and its arguments for execFile (no shell). Whitespace separates
 * words; single or double quotes keep spaces; a backslash escapes the next character outside single quotes.
 */
export const splitCommandLine = (text: string): ReadonlyArray<string> | { readonly error: string } => {
  const words: Array<string> = []
  let word = ""
  let inWord = false
  let quote: "'" | '"' | undefined
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quote === "'") {
      if (c === "'") quote = undefined
      else word += c
    } else if (c === "\\" && i + 1 < text.length) {
      word += text[++i]
      inWord = true
    } else if (quote === '"') {
      if (c === '"') quote = undefined
      else word += c
    } else if (c === "'" || c === '"') {
      quote = c
      inWord = true
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word)
      word = ""
      inWord = false
    } else {
      word += c
      inWord = true
    }
  }
  if (quote !== undefined) return { error: `unclosed ${quote} quote` }
  if (inWord) words.push(word)
  if (words.length === 0) return { error: "empty command" }
  return words
}

const opt = <S extends Schema.Schema.Any>(s: S) => Schema.optionalWith(s, { exact: true })

/** What one generation holds (`manifest.json`). */
export const Manifest = Schema.Struct({
  version: Schema.String,
  /** Every category in the archive it came from. */
  categories: Schema.Array(Schema.String),
  enabled: Schema.Union(Schema.Literal("all"), Schema.Array(Schema.String)),
  /** The rule files installed, in installed_rules.yaml order. */
  files: Schema.Array(Schema.String),
  sids: Schema.Boolean,
  installedAt: Schema.Number,
  /** SHA-256 of every file installed, by its path in the generation: how a rewrite is noticed. */
  hashes: opt(Schema.Record({ key: Schema.String, value: Schema.String }))
})
export type Manifest = typeof Manifest.Type
