/**
 * The rulesets the service hands out (SPEC sections 2, 9): ET Pro while a sensor is ACTIVE or DORMANT, ET Open
 * once it is DISABLED. Each is built once, at start, from a directory of `*.rules` files and
 * `telemetry_sids.txt` into a `.tar.gz` whose members are `rules/<name>`, and `rules/telemetry_version.json`
 * saying its version. The archive is deterministic (fixed
 * mtime, portable headers, sorted members) and its version is a hash of what it holds, so the same rule
 * files always give the same version and a changed file a new one.
 */
import { Data, Effect } from "effect"
import { createHash } from "node:crypto"
import { readdir, readFile } from "node:fs/promises"
import { join } from "node:path"
import { gzipSync } from "node:zlib"
import { create as createTar, Header } from "tar"
import type { Ruleset } from "../domain/License.js"
import { renderVersionFile, VERSION_FILE } from "../domain/RulesPlan.js"

export class RulesetError extends Data.TaggedError("RulesetError")<{
  readonly dir: string
  readonly message: string
}> {}

export interface RulesetArchive {
  readonly name: Ruleset
  readonly version: string
  readonly archive: Uint8Array
  /** Member names, `rules/...`. */
  readonly members: ReadonlyArray<string>
}

export interface Rulesets {
  readonly pro: RulesetArchive
  readonly open: RulesetArchive
}

const MTIME = new Date("2026-01-01T00:00:00Z")

const slug = (name: Ruleset) => (name === "ET Pro" ? "etpro" : "etopen")

export const buildRuleset = (name: Ruleset, dir: string): Effect.Effect<RulesetArchive, RulesetError> =>
  Effect.tryPromise({
    try: async () => {
      const files = (await readdir(dir)).filter((f) => f.endsWith(".rules") || f === "telemetry_sids.txt").sort()
      if (!files.some((f) => f.endsWith(".rules"))) throw new Error("no .rules files")
      const hash = createHash("sha256")
      for (const f of files) {
        hash.update(f).update("\0").update(await readFile(join(dir, f))).update("\0")
      }
      const chunks: Array<Buffer> = []
      const pack = createTar({ cwd: dir, prefix: "rules", portable: true, mtime: MTIME }, files)
      for await (const chunk of pack) chunks.push(Buffer.from(chunk as Uint8Array))
      const version = `${slug(name)}-${hash.digest("hex").slice(0, 12)}`
      return {
        name,
        version,
        archive: new Uint8Array(gzipSync(withVersionMember(Buffer.concat(chunks), version))),
        members: [...files.map((f) => `rules/${f}`), `rules/${VERSION_FILE}`]
      } satisfies RulesetArchive
    },
    catch: (e) => new RulesetError({ dir, message: `cannot build the ${name} ruleset from ${dir}: ${(e as Error).message}` })
  })

/**
 * The tar with `rules/telemetry_version.json` appended (SPEC section 8: the archive says its own version, and
 * the agent refuses one that is not the version it was told): the end-of-archive blocks are cut, the member
 * added, the end written again.
 */
const withVersionMember = (tar: Buffer, version: string): Buffer => {
  let end = tar.length
  while (end >= 512 && tar.subarray(end - 512, end).every((b) => b === 0)) end -= 512
  const body = Buffer.from(renderVersionFile(version))
  const header = Buffer.alloc(512)
  new Header({ path: `rules/${VERSION_FILE}`, type: "File", size: body.length, mode: 0o644, mtime: MTIME, uid: 0, gid: 0 }).encode(header, 0)
  const pad = Buffer.alloc((512 - (body.length % 512)) % 512)
  return Buffer.concat([tar.subarray(0, end), header, body, pad, Buffer.alloc(1024)])
}

export const loadRulesets = (dirs: { readonly pro: string; readonly open: string }) =>
  Effect.all({ pro: buildRuleset("ET Pro", dirs.pro), open: buildRuleset("ET Open", dirs.open) })

export const rulesetFor = (r: Rulesets, name: Ruleset): RulesetArchive => (name === "ET Pro" ? r.pro : r.open)
