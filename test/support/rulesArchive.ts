/**
 * Builds ruleset archives for tests, byte by byte with node-tar's Header, so a test can make members that
 * `tar.c` would refuse to write (absolute paths, `..`, links, devices) and cut the result anywhere.
 */
import { mkdir, readFile, readlink, lstat, stat } from "node:fs/promises"
import { join } from "node:path"
import { gzipSync } from "node:zlib"
import { Header } from "tar"
import { parseInstalledRules } from "../../src/domain/RuleFiles.js"
import { CURRENT, GENERATION_RULES, INCLUDE_FILE } from "../../src/domain/RulesPlan.js"
import type { RulesLayout } from "../../src/adapters/RulesStore.js"

export interface Member {
  readonly path: string
  readonly type?: "File" | "Directory" | "SymbolicLink" | "Link" | "CharacterDevice" | "FIFO"
  readonly body?: string | Buffer
  readonly linkpath?: string
}

const block = (h: Header): Buffer => {
  const b = Buffer.alloc(512)
  h.encode(b, 0)
  return b
}

export const tarBytes = (members: ReadonlyArray<Member>): Buffer => {
  const parts: Array<Buffer> = []
  for (const m of members) {
    const body = m.body === undefined ? Buffer.alloc(0) : Buffer.from(m.body)
    const type = m.type ?? "File"
    const h = new Header({
      path: m.path,
      type,
      size: type === "File" ? body.length : 0,
      mode: type === "Directory" ? 0o755 : 0o644,
      mtime: new Date(1_700_000_000_000),
      uid: 0,
      gid: 0,
      ...(m.linkpath !== undefined ? { linkpath: m.linkpath } : {})
    })
    parts.push(block(h))
    if (type === "File" && body.length > 0) {
      parts.push(body, Buffer.alloc((512 - (body.length % 512)) % 512))
    }
  }
  parts.push(Buffer.alloc(1024))
  return Buffer.concat(parts)
}

export const tgz = (members: ReadonlyArray<Member>): Buffer => gzipSync(tarBytes(members))

/** A rule line with a SID. */
export const rule = (sid: number, msg = `test ${sid}`) =>
  `alert tcp any any -> any any (msg:"${msg}"; sid:${sid}; rev:1;)\n`

/** A ruleset as the service serves it: `rules/<category>.rules` + `rules/telemetry_sids.txt`. */
export const ruleset = (
  categories: Record<string, ReadonlyArray<number>>,
  sids: ReadonlyArray<number>,
  extra: ReadonlyArray<Member> = []
): Buffer =>
  tgz([
    { path: "rules/", type: "Directory" },
    ...Object.entries(categories).map(([c, ids]) => ({ path: `rules/${c}.rules`, body: ids.map((i) => rule(i)).join("") })),
    { path: "rules/telemetry_sids.txt", body: sids.join("\n") + "\n" },
    { path: "rules/classification.config", body: "config classification: misc,Misc,3\n" },
    ...extra
  ])

/** Everything a reader sees through the public paths, as one comparable value. */
export interface Visible {
  readonly installed: string | undefined
  readonly files: Record<string, string | undefined>
  readonly sids: string | undefined
  readonly version: string | undefined
}

const readOr = async (p: string) => {
  try {
    return await readFile(p, "utf8")
  } catch {
    return undefined
  }
}

/** What Suricata (through the agent's include file) and the sanitiser see now. */
export const visible = async (l: RulesLayout): Promise<Visible> => {
  const include = join(l.agentDir, INCLUDE_FILE)
  const installed = await readOr(include)
  const files: Record<string, string | undefined> = {}
  if (installed !== undefined) {
    for (const f of parseInstalledRules(installed).files) files[f] = await readOr(join(l.agentDir, CURRENT, GENERATION_RULES, f))
  }
  return {
    // The include names its root's rule directory: shown root-free so two roots compare equal.
    installed: installed?.split(l.agentDir).join("<agent>"),
    files,
    sids: await readOr(join(l.rulesDir, "telemetry_sids.txt")),
    version: await readOr(join(l.rulesDir, "telemetry_version.json"))
  }
}

export const ensureDirs = async (l: RulesLayout) => {
  await mkdir(l.rulesDir, { recursive: true })
}

export const isSymlink = async (p: string) => (await lstat(p)).isSymbolicLink()
export const linkTarget = (p: string) => readlink(p)
export const size = async (p: string) => (await stat(p)).size
