/**
 * The agent's own ruleset install (SPEC sections 1 and 8), as generations in a directory of its own: the
 * enabled categories of a verified archive (./RulesArchive.ts) are installed so that, at every instant,
 * readers (Suricata, the heartbeat, the sanitiser) see either the old set or the new one, never a mix — also
 * when the process is killed half-way. It never writes into OPNsense's paths (installed_rules.yaml,
 * opnsense.rules/): OPNsense's own installer rebuilds and deletes there (issue 12).
 *
 * Layout (`A` = /usr/local/etc/suricata/etpro-telemetry, `S` = /usr/local/etc/suricata):
 * ```
 * A/gen-<time>-<id>/                    one complete generation, written once, never changed
 *     rules/<name>.rules                  the enabled categories
 *     etpro-rules.yaml  telemetry_sids.txt  telemetry_version.json  manifest.json (with SHA-256 of each)
 * A/current -> gen-...                  THE commit point: one rename(2) of a symlink switches everything
 * A/etpro-rules.yaml -> current/etpro-rules.yaml     suricata.yaml: `include: A/etpro-rules.yaml`
 * S/rules/telemetry_sids.txt    -> ../etpro-telemetry/current/telemetry_sids.txt     (the sanitiser's)
 * S/rules/telemetry_version.json -> ../etpro-telemetry/current/telemetry_version.json (the heartbeat's)
 * ```
 * The public paths are fixed symlinks through `current` (the pattern of Kubernetes' AtomicWriter), so a
 * new generation is staged in full (files fsynced, staging directory renamed) before `current` moves.
 * The manifest records a hash of every file installed; `inspect` compares what is there now, so an install
 * that something else rewrote, emptied or deleted is noticed and the next update reinstalls it.
 */
import { Effect, Layer, Schema } from "effect"
import { createHash, randomBytes } from "node:crypto"
import { createReadStream } from "node:fs"
import { mkdir, mkdtemp, readdir, readlink, rename, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join, relative } from "node:path"
import {
  CURRENT,
  defaultLimits,
  GENERATION_RULES,
  INCLUDE_FILE,
  installDamage,
  Manifest,
  missingCategories,
  parseVersionFile,
  renderInstalledRules,
  renderVersionFile,
  type SeenFile,
  type Selection,
  SIDS_FILE,
  VERSION_FILE
} from "../domain/RulesPlan.js"
import { ensureLink, errno, exists, fsCause, fsyncPath, readIfExists, replaceWithLink, writeDurable } from "./AtomicFile.js"
import { lockFile } from "./Lock.js"
import { ArchiveFault, extract, type Extracted, RulesArchiveError } from "./RulesArchive.js"
import {
  type InstalledView,
  type InstallResult,
  type InstallStep,
  RulesBusy,
  type RulesLayout,
  RulesStore,
  RulesStoreError,
  type RulesStoreOptions,
  type RulesStoreService,
  tempLayout
} from "./RulesStoreService.js"

export * from "./RulesStoreService.js"

// ---------------------------------------------------------------------------------------------------------
// The store

const LEGACY_STORE = ".etpro"
const LOCK = "update.lock"
/** The lock directory of earlier versions (proper-lockfile), left behind when one was killed. */
const LEGACY_LOCK = ".lock"

const sha256Of = (path: string): Promise<SeenFile> =>
  new Promise((resolve, reject) => {
    const h = createHash("sha256")
    let size = 0
    createReadStream(path)
      .on("data", (c) => {
        size += c.length
        h.update(c)
      })
      .on("end", () => resolve({ sha256: h.digest("hex"), size }))
      .on("error", (e) => (errno(e) === "ENOENT" || errno(e) === "ENOTDIR" ? resolve(undefined) : reject(e)))
  })

export const make = (layout: RulesLayout, options: RulesStoreOptions = {}): RulesStoreService => {
  const limits = options.limits ?? defaultLimits
  const store = layout.agentDir
  const current = join(store, CURRENT)
  const step = async (s: InstallStep) => {
    if (options.onStep !== undefined) await options.onStep(s)
  }

  /** The fixed public paths, each a link to `current/<sub>` (relative to the link's directory). */
  const publicFiles = [
    { link: join(store, INCLUDE_FILE), sub: INCLUDE_FILE },
    { link: join(layout.rulesDir, SIDS_FILE), sub: SIDS_FILE },
    { link: join(layout.rulesDir, VERSION_FILE), sub: VERSION_FILE }
  ]
  const target = (link: string, sub: string) => relative(dirname(link), join(current, sub))
  /** Where a reader finds a generation's file: through its public link, or through `current`. */
  const publicPath = (sub: string) => publicFiles.find((p) => p.sub === sub)?.link ?? join(current, sub)

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
    const versionText = await readIfExists(join(layout.rulesDir, VERSION_FILE))
    const version = versionText === undefined ? undefined : parseVersionFile(versionText.toString("utf8"))
    const gen = await currentGeneration()
    const manifest = gen === undefined ? undefined : await readManifest(join(store, gen))
    if (manifest === undefined) {
      const damage = gen === undefined ? undefined : `${join(store, gen)}/manifest.json is missing or unreadable`
      return { version, files: [], complete: false, manifest, damage }
    }
    // Each recorded file as a reader finds it now, by the path the operator knows.
    const recorded: Record<string, string> = {}
    const seen: Record<string, SeenFile> = {}
    for (const [sub, sha256] of Object.entries(manifest.hashes ?? {})) {
      const p = publicPath(sub)
      recorded[p] = sha256
      seen[p] = await sha256Of(p)
    }
    const damage = manifest.hashes === undefined ? `${join(store, gen!)} has no record of what it installed` : installDamage(recorded, seen)
    return { version, files: manifest.files, complete: damage === undefined, manifest, damage }
  }

  /** Writes a generation from staging to its final name. */
  const commitStaging = async (staging: string, name: string): Promise<void> => {
    await fsyncPath(join(staging, GENERATION_RULES))
    await fsyncPath(staging)
    await rename(staging, join(store, name))
    await fsyncPath(store)
  }

  const switchTo = async (name: string): Promise<void> => {
    await replaceWithLink(current, name)
    await fsyncPath(store)
  }

  const generationName = (at: number) => `gen-${at}-${process.pid}-${randomBytes(3).toString("hex")}`

  /** Removes what a killed install may have left: staging directories and temporary links. */
  const sweep = async (keep: string): Promise<void> => {
    for (const e of await readdir(store)) {
      const stale = e.startsWith(".staging-") || e.includes(".etpro-tmp-") || e.startsWith("download-") || e === LEGACY_LOCK
      if (stale && join(store, e) !== keep) await rm(join(store, e), { recursive: true, force: true })
    }
    for (const n of await readdir(layout.rulesDir)) {
      if (n.includes(".etpro-tmp-")) await rm(join(layout.rulesDir, n), { force: true })
    }
  }

  /** Keeps `current` and the generation before it. */
  const prune = async (keep: ReadonlyArray<string | undefined>): Promise<void> => {
    for (const e of await readdir(store)) {
      if (e.startsWith("gen-") && !keep.includes(e)) await rm(join(store, e), { recursive: true, force: true })
    }
  }

  const installNow = async (
    archive: string,
    o: { version: string; selection: Selection; at: number }
  ): Promise<InstallResult> => {
    await mkdir(store, { recursive: true })
    await mkdir(layout.rulesDir, { recursive: true })
    await sweep(archive)
    const name = generationName(o.at)
    const staging = join(store, `.staging-${name}`)
    await mkdir(join(staging, GENERATION_RULES), { recursive: true })
    let extracted: Extracted
    try {
      extracted = await extract(archive, staging, o.selection, limits, o.version)
      const subs = extracted.files.map((f) => join(GENERATION_RULES, f))
      if (extracted.sids) subs.push(SIDS_FILE)
      for (const sub of subs) await fsyncPath(join(staging, sub))
      await writeDurable(join(staging, INCLUDE_FILE), renderInstalledRules(extracted.files, join(current, GENERATION_RULES)))
      await writeDurable(join(staging, VERSION_FILE), renderVersionFile(o.version))
      const hashes: Record<string, string> = {}
      for (const sub of [...subs, INCLUDE_FILE, VERSION_FILE]) hashes[sub] = (await sha256Of(join(staging, sub)))!.sha256
      const manifest: Manifest = {
        version: o.version,
        categories: extracted.categories,
        enabled: o.selection,
        files: extracted.files,
        sids: extracted.sids,
        installedAt: o.at,
        hashes
      }
      await writeDurable(join(staging, "manifest.json"), `${JSON.stringify(manifest)}\n`)
      await step("extracted")
      await commitStaging(staging, name)
    } catch (e) {
      await rm(staging, { recursive: true, force: true })
      throw e
    }
    await step("staged")
    const previous = await currentGeneration()
    // The links point through `current`: made (or repaired) before the switch, they show the old set until it.
    for (const p of publicFiles) await ensureLink(p.link, target(p.link, p.sub))
    await fsyncPath(layout.rulesDir)
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
    if (previous === undefined) {
      warnings.push(`first install here: add \`include: ${join(store, INCLUDE_FILE)}\` as the last line of suricata.yaml (once) so Suricata loads these rules`)
    }
    if (await exists(join(layout.rulesDir, LEGACY_STORE))) {
      warnings.push(
        `an install of the earlier layout is still in ${join(layout.rulesDir, LEGACY_STORE)} (linked from installed_rules.yaml ` +
          `and opnsense.rules/); left as it was: include ${join(store, INCLUDE_FILE)} from suricata.yaml, then remove it`
      )
    }
    return { manifest, missing, warnings }
  }

  /** A file-system failure names the store, the file and the cause (`no space left on the device (ENOSPC)`). */
  const fsFailure = (what: string, e: unknown) => {
    const at = (e as NodeJS.ErrnoException | undefined)?.path
    return new RulesStoreError({
      path: store,
      message: `${what} ${store}: ${fsCause(e)}${typeof at === "string" && at !== store ? ` (${at})` : ""}`
    })
  }

  const storeError = (path: string) => (e: unknown) =>
    e instanceof ArchiveFault
      ? new RulesArchiveError({ archive: path, reason: e.reason, message: `${path}: ${e.message}` })
      : errno(e) !== undefined
        ? fsFailure("cannot install into", e)
        : new RulesStoreError({
            path,
            message: `${path}: ${(e as Error)?.message?.split("\n")[0] ?? String(e)}`
          })

  return {
    layout,
    limits,
    onOpnsense: Effect.promise(() => exists(layout.opnsenseMarker).catch(() => false)),
    inspect: Effect.tryPromise({
      try: inspectNow,
      catch: (e) => fsFailure("cannot read the installed rules in", e)
    }),
    downloadPath: Effect.tryPromise({
      try: async () => {
        await mkdir(store, { recursive: true })
        // Called under the lock: any other download here is what a killed update left.
        for (const e of await readdir(store)) if (e.startsWith("download-")) await rm(join(store, e), { force: true })
        return join(store, `download-${process.pid}-${randomBytes(4).toString("hex")}.tar.gz`)
      },
      catch: (e) => fsFailure("cannot prepare a download in", e)
    }),
    discard: (p) => Effect.promise(() => rm(p, { force: true, recursive: true }).catch(() => undefined)),
    install: (archive, o) =>
      Effect.tryPromise({ try: () => installNow(archive, o), catch: storeError(archive) }),
    lock: Effect.gen(function* () {
      const path = join(store, LOCK)
      const got = yield* lockFile(path).pipe(Effect.mapError((e) => new RulesStoreError({ path, message: e.message })))
      if (!got) return yield* new RulesBusy({ path: store, message: `${store}: another rules update is running` })
    })
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

