/**
 * The rules store's contract (./RulesStore.ts is the store): its service and tag, its errors, its layout on a
 * sensor and its options.
 */
import { Context, Data, type Effect, type Scope } from "effect"
import { type Paths, resolvePaths } from "../domain/Paths.js"
import type { ArchiveLimits, Manifest, Selection } from "../domain/RulesPlan.js"
import type { RulesArchiveError } from "./RulesArchive.js"

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
  /** The agent's own directory: generations, `current`, the include file, the lock. */
  readonly agentDir: string
  /** The downloads directory; its telemetry_sids.txt and telemetry_version.json link into `current`. */
  readonly rulesDir: string
  /** Exists on an OPNsense tree: there OPNsense downloads and installs the rules itself. */
  readonly opnsenseMarker: string
}

/** What readers see now through the public paths. */
export interface InstalledView {
  readonly version: string | undefined
  readonly files: ReadonlyArray<string>
  /** The agent installed a generation and every file of it is there as installed. */
  readonly complete: boolean
  /** The generation `current` points at, when the agent installed one. */
  readonly manifest: Manifest | undefined
  /** Why the install is not as installed (`... was rewritten`), when something changed it. */
  readonly damage: string | undefined
}

export interface InstallResult {
  readonly manifest: Manifest
  /** Enabled categories the archive lacked. */
  readonly missing: ReadonlyArray<string>
  readonly warnings: ReadonlyArray<string>
}

/** Points where a test may stop or kill an install. */
export type InstallStep = "extracted" | "staged" | "linked" | "switched" | "pruned"

export interface RulesStoreService {
  readonly layout: RulesLayout
  readonly limits: ArchiveLimits
  /** An OPNsense tree (its marker exists): `rules update` defers to OPNsense's own download there. */
  readonly onOpnsense: Effect.Effect<boolean>
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

/** The store's paths out of the agent's Paths (SPEC section 1). */
export const layoutFromPaths = (p: Pick<Paths, "agentRulesDir" | "rulesDir" | "opnsenseMarker">): RulesLayout => ({
  agentDir: p.agentRulesDir,
  rulesDir: p.rulesDir,
  opnsenseMarker: p.opnsenseMarker
})

export const tempLayout = (root: string): RulesLayout => layoutFromPaths(resolvePaths({ root }))
