/**
 * The installed ruleset as the heartbeat counts it (SPEC section 6): installed_rules.yaml names the rule files
 * (`rule-files:` then `- name.rules`), and every rule line in them that is not commented out carries a SID.
 */
import { parse as parseYaml } from "yaml"

export interface InstalledList {
  /** Plain file names, in order, without duplicates. */
  readonly files: ReadonlyArray<string>
  /** Entries that are not a plain file name (a path, `..`, not a string): ignored. */
  readonly ignored: ReadonlyArray<string>
}

/** Parses installed_rules.yaml; throws on text that is not YAML or has no `rule-files` list. */
export const parseInstalledRules = (text: string): InstalledList => {
  const doc: unknown = parseYaml(text)
  const list = typeof doc === "object" && doc !== null ? (doc as Record<string, unknown>)["rule-files"] : undefined
  if (list === null || list === undefined) return { files: [], ignored: [] }
  if (!Array.isArray(list)) throw new Error("rule-files is not a list")
  const files: Array<string> = []
  const ignored: Array<string> = []
  for (const item of list) {
    const name = typeof item === "string" ? item.trim() : undefined
    if (name === undefined || name === "" || name === "." || name === ".." || /[/\\\0]/.test(name)) {
      ignored.push(String(item))
    } else if (!files.includes(name)) files.push(name)
  }
  return { files, ignored }
}

/**
 * The SID of one rule line, or undefined for blank lines, comments (disabled rules start with `#`) and lines
 * without a `sid` option. Options are split on `;` outside quoted strings, honouring backslash escapes, so
 * `content:"sid:1;"` before the real `sid:` is not mistaken for it.
 */
export const sidOfRule = (line: string): number | undefined => {
  let i = 0
  while (i < line.length && (line[i] === " " || line[i] === "\t")) i++
  if (i >= line.length || line[i] === "#") return undefined
  const open = line.indexOf("(", i)
  if (open < 0 || line.indexOf("sid", open) < 0) return undefined
  let start = open + 1
  let quoted = false
  for (let j = start; j < line.length; j++) {
    const c = line.charCodeAt(j)
    if (c === 92 /* \ */) {
      j++
      continue
    }
    if (c === 34 /* " */) quoted = !quoted
    else if (c === 59 /* ; */ && !quoted) {
      const sid = sidOption(line, start, j)
      if (sid !== undefined) return sid
      start = j + 1
    }
  }
  // A last option closed by `)` without its `;`.
  const close = line.lastIndexOf(")")
  return close > start && !quoted ? sidOption(line, start, close) : undefined
}

/**
 * A scanner for the lines of one rule file, in order: joins rules continued over several lines (a line
 * ending in `\`) and gives each complete rule's SID.
 */
export const ruleScanner = (): ((line: string) => number | undefined) => {
  let pending = ""
  return (line) => {
    if (line.endsWith("\\")) {
      pending += line.slice(0, -1)
      return undefined
    }
    const full = pending === "" ? line : pending + line
    pending = ""
    return sidOfRule(full)
  }
}

const SID = /^\s*sid\s*:\s*(\d{1,10})\s*$/

const sidOption = (line: string, from: number, to: number): number | undefined => {
  // Cheap test before the regex: most options are not `sid`.
  const k = line.indexOf("sid", from)
  if (k < 0 || k >= to) return undefined
  const m = SID.exec(line.slice(from, to))
  return m === null ? undefined : Number(m[1])
}

/** The SIDs of a whole rule file's text (tests and small files; the probe streams lines instead). */
export const sidsOfText = (text: string, into: Set<number> = new Set()): Set<number> => {
  const scan = ruleScanner()
  for (const line of text.split(/\r?\n/)) {
    const sid = scan(line)
    if (sid !== undefined) into.add(sid)
  }
  return into
}
