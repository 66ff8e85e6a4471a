/**
 * The installed ruleset on disk (SPEC sections 1 and 8), as generations: the enabled categories of a verified
 * archive (./RulesArchive.ts) are installed so that, at every instant, readers (Suricata, the heartbeat, the
 * sanitiser) see either the old set or the new one, never a mix — also when the process is killed half-way.
 *
 * Layout (paths from SPEC section 1; `S` = /usr/local/etc/suricata):
 * ```
 * S/rules/.etpro/gen-<time>-<id>/       one complete generation, written once, never changed
 *     opnsense.rules/<name>.rules          the enabled categories
 *     installed_rules.yaml  telemetry_sids.txt  telemetry_version.json  manifest.json
 * S/rules/.etpro/current -> gen-...      THE commit point: one rename(2) of a symlink switches everything
 * S/installed_rules.yaml            -> rules/.etpro/current/installed_rules.yaml
 * S/opnsense.rules/<name>.rules     -> ../rules/.etpro/current/opnsense.rules/<name>.rules
 * S/rules/telemetry_sids.txt        -> .etpro/current/telemetry_sids.txt
 * S/rules/telemetry_version.json    -> .etpro/current/telemetry_version.json
 * ```
 * The public paths are fixed symlinks through `current` (the pattern of Kubernetes' AtomicWriter), so a
 * new generation is staged in full (files fsynced, staging directory renamed) before `current` moves.
 * Files that are not ours in those places (a first install over OPNsense's own) are first copied into an
 * "adopted" generation and replaced by identical links, so even that migration shows no mix.
 */
import { Context, Data, Effect, Layer, Schema, type Scope } from "effect"
import { randomBytes } from "node:crypto"
import { copyFile, mkdir, mkdtemp, readdir, readlink, rename, rm, stat, symlink, unlink } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join, relative } from "node:path"
import * as lockfile from "proper-lockfile"
import { parseInstalledRules } from "../domain/RuleFiles.js"
import {
  type ArchiveLimits,
  defaultLimits,
  Manifest,
  missingCategories,
  parseVersionFile,
  renderInstalledRules,
  renderVersionFile,
  type Selection,
  SIDS_FILE,
  VERSION_FILE
} from "../domain/RulesPlan.js"
import { ensureLink, errno, exists, fsyncPath, isLinkTo, readIfExists, tmpName, writeDurable } from "./AtomicFile.js"
import { ArchiveFault, extract, type Extracted, RulesArchiveError } from "./RulesArchive.js"

/** A file-system failure while reading or installing rules. */
export class RulesStoreError extends Data.TaggedError("RulesStoreError")<{
  readonly path: string
  readonly message: string
}> {}

/** Another `rules update` holds the store's lock. */
export class RulesBusy extends Data.TaggedError("RulesBusy")<{
  readonly path: string
  readonly message: string
}> {}

export interface RulesLayout {
  /** Downloads directory; holds telemetry_sids.txt, telemetry_version.json and the store (`.etpro/`). */
  readonly rulesDir: string
  readonly installedRules: string
  readonly opnsenseRulesDir: string
}

/** What readers see now through the public paths. */
export interface InstalledView {
  readonly version: string | undefined
  readonly files: ReadonlyArray<string>
  /** installed_rules.yaml, every file it names and telemetry_sids.txt exist. */
  readonly complete: boolean
  /** The generation `current` points at, when the agent installed one. */
  readonly manifest: Manifest | undefined
}

export interface InstallResult {
  readonly manifest: Manifest
  /** Enabled categories the archive lacked. */
  readonly missing: ReadonlyArray<string>
  readonly warnings: ReadonlyArray<string>
}

/** Points where a test may stop or kill an install. */
export type InstallStep = "extracted" | "staged" | "adopted" | "linked" | "switched" | "pruned"

export interface RulesStoreService {
  readonly layout: RulesLayout
  readonly limits: ArchiveLimits
  readonly inspect: Effect.Effect<InstalledView, RulesStoreError>
  /** A fresh path inside the store for a download (same file system as the install); call under `lock`. */
  readonly downloadPath: Effect.Effect<string, RulesStoreError>
  readonly discard: (path: string) => Effect.Effect<void>
  readonly install: (
    archive: string,
    opts: { readonly version: string; readonly selection: Selection; readonly at: number }
  ) => Effect.Effect<InstallResult, RulesArchiveError | RulesStoreError>
  /** Held for the scope: one install at a time across processes. */
  readonly lock: Effect.Effect<void, RulesBusy | RulesStoreError, Scope.Scope>
}

export class RulesStore extends Context.Tag("etpro/RulesStore")<RulesStore, RulesStoreService>() {}

export interface RulesStoreOptions {
  readonly limits?: ArchiveLimits
  /** Called after each install step (tests inject faults or kills here). */
  readonly onStep?: (step: InstallStep) => Promise<void> | void
}

// ---------------------------------------------------------------------------------------------------------
// The store

const STORE = ".etpro"
const CURRENT = "current"

/** The store's three paths out of the agent's Paths (SPEC section 1). */
export const layoutFromPaths = (p: RulesLayout): RulesLayout => ({
  rulesDir: p.rulesDir,
  installedRules: p.installedRules,
  opnsenseRulesDir: p.opnsenseRulesDir
})

export const make = (layout: RulesLayout, options: RulesStoreOptions = {}): RulesStoreService => {
  const limits = options.limits ?? defaultLimits
  const store = join(layout.rulesDir, STORE)
  const current = join(store, CURRENT)
  const sidsPath = join(layout.rulesDir, SIDS_FILE)
  const versionPath = join(layout.rulesDir, VERSION_FILE)
  const step = async (s: InstallStep) => {
    if (options.onStep !== undefined) await options.onStep(s)
  }

  /** Where each public path points: `current/<sub>`, relative to the link's directory. */
  const target = (link: string, sub: string) => relative(dirname(link), join(current, sub))
  const publicFiles = [
    { link: layout.installedRules, sub: "installed_rules.yaml" },
    { link: sidsPath, sub: SIDS_FILE },
    { link: versionPath, sub: VERSION_FILE }
  ]
  const ruleLink = (name: string) => ({ link: join(layout.opnsenseRulesDir, name), sub: join("opnsense.rules", name) })

  const readManifest = async (dir: string): Promise<Manifest | undefined> => {
    const raw = await readIfExists(join(dir, "manifest.json"))
    if (raw === undefined) return undefined
    try {
      return Schema.decodeUnknownSync(Manifest)(JSON.parse(raw.toString("utf8")))
    } catch {
      return undefined
    }
  }

  const currentGeneration = async (): Promise<string | undefined> => {
    try {
      return await readlink(current)
    } catch (e) {
      if (errno(e) === "ENOENT") return undefined
      throw e
    }
  }

  const inspectNow = async (): Promise<InstalledView> => {
    const versionText = await readIfExists(versionPath)
    const version = versionText === undefined ? undefined : parseVersionFile(versionText.toString("utf8"))
    const listText = await readIfExists(layout.installedRules)
    let files: ReadonlyArray<string> = []
    let complete = listText !== undefined
    if (listText !== undefined) {
      try {
        files = parseInstalledRules(listText.toString("utf8")).files
      } catch {
        complete = false
      }
    }
    for (const f of files) {
      if (!complete) break
      try {
        await stat(join(layout.opnsenseRulesDir, f))
      } catch {
        complete = false
      }
    }
    if (complete && (await readIfExists(sidsPath)) === undefined) complete = false
    const gen = await currentGeneration()
    const manifest = gen === undefined ? undefined : await readManifest(join(store, gen))
    return { version, files, complete, manifest }
  }

  /** Writes a generation from staging to its final name; returns that name. */
  const commitStaging = async (staging: string, name: string): Promise<void> => {
    await fsyncPath(join(staging, "opnsense.rules"))
    await fsyncPath(staging)
    await rename(staging, join(store, name))
    await fsyncPath(store)
  }

  const switchTo = async (name: string): Promise<void> => {
    const tmp = tmpName(current)
    await symlink(name, tmp)
    await rename(tmp, current)
    await fsyncPath(store)
  }

  const generationName = (at: number, tag = "gen") => `${tag}-${at}-${process.pid}-${randomBytes(3).toString("hex")}`

  /** Removes what a killed install may have left: staging directories and temporary links. */
  const sweep = async (keep: string): Promise<void> => {
    for (const e of await readdir(store)) {
      const stale = e.startsWith(".staging-") || e.includes(".etpro-tmp-") || e.startsWith("download-")
      if (stale && join(store, e) !== keep) await rm(join(store, e), { recursive: true, force: true })
    }
    for (const dir of [layout.rulesDir, layout.opnsenseRulesDir, dirname(layout.installedRules)]) {
      let names: Array<string> = []
      try {
        names = await readdir(dir)
      } catch (e) {
        if (errno(e) !== "ENOENT") throw e
      }
      for (const n of names) if (n.includes(".etpro-tmp-")) await rm(join(dir, n), { force: true })
    }
  }

  /**
   * Public paths that are not our links (a first install over someone else's files): copy what readers
   * see into an "adopted" generation, point `current` at it, then swap each file for an identical link.
   */
  const adoptIfNeeded = async (at: number): Promise<boolean> => {
    const view = await inspectNow()
    const listed = view.files.map(ruleLink)
    const foreign: Array<{ link: string; sub: string }> = []
    for (const p of [...publicFiles, ...listed]) {
      if ((await exists(p.link)) && !(await isLinkTo(p.link, target(p.link, p.sub)))) foreign.push(p)
    }
    if (foreign.length === 0) return false
    const name = generationName(at, "adopted")
    const staging = join(store, `.staging-${name}`)
    await mkdir(join(staging, "opnsense.rules"), { recursive: true })
    const copied: Array<string> = []
    for (const f of view.files) {
      const src = join(layout.opnsenseRulesDir, f)
      if ((await readIfExists(src)) === undefined) continue
      await copyFile(src, join(staging, "opnsense.rules", f))
      await fsyncPath(join(staging, "opnsense.rules", f))
      copied.push(f)
    }
    for (const p of publicFiles) {
      const data = await readIfExists(p.link)
      if (data !== undefined) await writeDurable(join(staging, p.sub), data)
    }
    const manifest: Manifest = {
      version: view.version ?? "",
      categories: copied.map((f) => f.replace(/\.rules$/, "")),
      enabled: copied.map((f) => f.replace(/\.rules$/, "")),
      files: copied,
      sids: (await readIfExists(sidsPath)) !== undefined,
      installedAt: at,
      adopted: true
    }
    await writeDurable(join(staging, "manifest.json"), `${JSON.stringify(manifest)}\n`)
    await commitStaging(staging, name)
    await switchTo(name)
    for (const p of foreign) await ensureLink(p.link, target(p.link, p.sub))
    return true
  }

  /** Keeps `current` and the generation before it; removes links to rule files no longer installed. */
  const prune = async (keep: ReadonlyArray<string | undefined>): Promise<void> => {
    for (const e of await readdir(store)) {
      if ((e.startsWith("gen-") || e.startsWith("adopted-")) && !keep.includes(e)) {
        await rm(join(store, e), { recursive: true, force: true })
      }
    }
    const prefix = relative(layout.opnsenseRulesDir, join(current, "opnsense.rules"))
    for (const n of await readdir(layout.opnsenseRulesDir)) {
      const p = join(layout.opnsenseRulesDir, n)
      if (!(await isLinkTo(p, join(prefix, n)))) continue
      if ((await readIfExists(p)) === undefined) await unlink(p)
    }
  }

  const installNow = async (
    archive: string,
    o: { version: string; selection: Selection; at: number }
  ): Promise<InstallResult> => {
    await mkdir(store, { recursive: true })
    await mkdir(layout.opnsenseRulesDir, { recursive: true })
    await mkdir(dirname(layout.installedRules), { recursive: true })
    await sweep(archive)
    const name = generationName(o.at)
    const staging = join(store, `.staging-${name}`)
    await mkdir(join(staging, "opnsense.rules"), { recursive: true })
    let extracted: Extracted
    try {
      extracted = await extract(archive, staging, o.selection, limits)
      for (const f of extracted.files) await fsyncPath(join(staging, "opnsense.rules", f))
      if (extracted.sids) await fsyncPath(join(staging, SIDS_FILE))
      const manifest: Manifest = {
        version: o.version,
        categories: extracted.categories,
        enabled: o.selection,
        files: extracted.files,
        sids: extracted.sids,
        installedAt: o.at
      }
      await writeDurable(join(staging, "installed_rules.yaml"), renderInstalledRules(extracted.files))
      await writeDurable(join(staging, VERSION_FILE), renderVersionFile(o.version))
      await writeDurable(join(staging, "manifest.json"), `${JSON.stringify(manifest)}\n`)
      await step("extracted")
      await commitStaging(staging, name)
    } catch (e) {
      await rm(staging, { recursive: true, force: true })
      throw e
    }
    await step("staged")
    if (await adoptIfNeeded(o.at)) await step("adopted")
    const previous = await currentGeneration()
    // New names get their links before the switch; until then they point at nothing readers look for.
    for (const p of [...publicFiles, ...extracted.files.map(ruleLink)]) await ensureLink(p.link, target(p.link, p.sub))
    await fsyncPath(layout.opnsenseRulesDir)
    await step("linked")
    await switchTo(name)
    await step("switched")
    await prune([name, previous])
    await step("pruned")
    const manifest = (await readManifest(join(store, name)))!
    const missing = missingCategories(o.selection, extracted.categories)
    const warnings: Array<string> = []
    if (missing.length > 0) warnings.push(`categories not in the archive: ${missing.join(", ")}`)
    if (!extracted.sids) warnings.push(`the archive has no rules/${SIDS_FILE}: every alert will be eligible for sending`)
    return { manifest, missing, warnings }
  }

  const storeError = (path: string) => (e: unknown) =>
    e instanceof ArchiveFault
      ? new RulesArchiveError({ archive: path, reason: e.reason, message: `${path}: ${e.message}` })
      : new RulesStoreError({
          path,
          message: `${path}: ${(e as Error)?.message?.split("\n")[0] ?? String(e)}`
        })

  return {
    layout,
    limits,
    inspect: Effect.tryPromise({
      try: inspectNow,
      catch: (e) => new RulesStoreError({ path: layout.installedRules, message: `cannot read the installed rules: ${(e as Error).message}` })
    }),
    downloadPath: Effect.tryPromise({
      try: async () => {
        await mkdir(store, { recursive: true })
        // Called under the lock: any other download here is what a killed update left.
        for (const e of await readdir(store)) if (e.startsWith("download-")) await rm(join(store, e), { force: true })
        return join(store, `download-${process.pid}-${randomBytes(4).toString("hex")}.tar.gz`)
      },
      catch: (e) => new RulesStoreError({ path: store, message: `${store}: ${(e as Error).message}` })
    }),
    discard: (p) => Effect.promise(() => rm(p, { force: true, recursive: true })),
    install: (archive, o) =>
      Effect.tryPromise({ try: () => installNow(archive, o), catch: storeError(archive) }),
    lock: Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          await mkdir(layout.rulesDir, { recursive: true })
          return lockfile.lock(layout.rulesDir, {
            realpath: false,
            lockfilePath: join(layout.rulesDir, `${STORE}.lock`),
            stale: 60_000
          })
        },
        catch: (e) =>
          errno(e) === "ELOCKED"
            ? new RulesBusy({ path: layout.rulesDir, message: `${layout.rulesDir}: another rules update is running` })
            : new RulesStoreError({ path: layout.rulesDir, message: `${layout.rulesDir}: cannot lock (${(e as Error).message})` })
      }),
      (release) => Effect.promise(() => release().catch(() => undefined))
    ).pipe(Effect.asVoid)
  }
}

export const layer = (layout: RulesLayout, options: RulesStoreOptions = {}) =>
  Layer.succeed(RulesStore, make(layout, options))

/** The real store in a fresh temporary root (removed with the scope), laid out as on a sensor. */
export const layerTemp = (options: RulesStoreOptions = {}) =>
  Layer.scoped(
    RulesStore,
    Effect.acquireRelease(
      Effect.promise(() => mkdtemp(join(tmpdir(), "etpro-rules-"))),
      (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
    ).pipe(Effect.map((root) => make(tempLayout(root), options)))
  )

export const tempLayout = (root: string): RulesLayout => ({
  rulesDir: join(root, "usr/local/etc/suricata/rules"),
  installedRules: join(root, "usr/local/etc/suricata/installed_rules.yaml"),
  opnsenseRulesDir: join(root, "usr/local/etc/suricata/opnsense.rules")
})
