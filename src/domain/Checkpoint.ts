/**
 * Which eve file is which, and how far each has been delivered (SPEC section 4), after the fashion of
 * Vector's file source: a file is named by a fingerprint of its content (a hash of its first line), so a
 * checkpoint follows it through rename rotation and `eve.json.N` renumbering; device + inode only break ties.
 *
 * - rename rotation (`eve.json` → `eve.json.1`), also while the agent was not running: the renamed file
 *   resumes at its offset, the new `eve.json` is new and starts at 0;
 * - copytruncate: the copy has the original's first line, so it resumes where the original stopped;
 * - truncation in place (size < offset, same inode): that file restarts at 0; rewritten with a new first line
 *   it is new; a copy still being written (size < offset, another inode) waits at the offset;
 * - a deleted file is forgotten: checkpoints are rebuilt from the files that exist, but only within what the
 *   run listed (`keptCheckpoints`): a run scoped to one file (`--log FILE`) or to another directory keeps
 *   every checkpoint outside its scope (issue 24 row 5).
 *
 * `AckTracker` moves a file's offset only past lines whose events were acknowledged (or rejected, or not
 * sent at all), contiguously: never past an event still in flight, whatever order the answers come in.
 */
import type { FileCheckpoint } from "./AgentState.js"

/** A file as seen now; `fingerprint` is undefined while it has no complete first line. */
export interface ObservedFile {
  readonly path: string
  readonly size: number
  readonly dev: number
  readonly ino: number
  readonly fingerprint: string | undefined
}

export type StartReason = "new" | "resume" | "truncated"

/** Where to read a file from. */
export interface PlannedFile extends ObservedFile {
  readonly fingerprint: string
  readonly start: number
  readonly reason: StartReason
}

const better = (file: ObservedFile, a: FileCheckpoint, b: FileCheckpoint): FileCheckpoint => {
  const score = (c: FileCheckpoint) => (c.dev === file.dev && c.ino === file.ino ? 2 : 0) + (c.path === file.path ? 1 : 0)
  const sa = score(a)
  const sb = score(b)
  if (sa !== sb) return sa > sb ? a : b
  return a.offset >= b.offset ? a : b
}

/**
 * One file for each fingerprint. Two files with the same first line are one stream: a copytruncate caught
 * half-way (the copy made, the original not yet truncated) or a copy still being written. Both read from the
 * same checkpoint, what they share was sent twice (the send-events model test, seed 19); so only the longer
 * is read (then the newer name: eve.json before its copy), and the checkpoint written for it resumes whichever
 * of them survives the truncation. Vector's file server keeps one watcher per fingerprint alike
 * (lib/file-source/src/file_server.rs, "More than one file has the same fingerprint").
 */
const oneForEachFingerprint = (files: ReadonlyArray<ObservedFile>): Array<ObservedFile & { fingerprint: string }> => {
  const chosen = new Map<string, ObservedFile>()
  for (const f of files) {
    if (f.fingerprint === undefined) continue
    const other = chosen.get(f.fingerprint)
    if (other === undefined || f.size >= other.size) chosen.set(f.fingerprint, f)
  }
  return files.filter((f): f is ObservedFile & { fingerprint: string } => f.fingerprint !== undefined && chosen.get(f.fingerprint) === f)
}

/**
 * The read plan for the files that exist now (in reading order, oldest first). Files without a complete
 * first line are left out: there is nothing to read in them yet; of files sharing a first line, one is read.
 */
export const planRead = (files: ReadonlyArray<ObservedFile>, checkpoints: ReadonlyArray<FileCheckpoint>): Array<PlannedFile> => {
  const byFingerprint = new Map<string, Array<FileCheckpoint>>()
  for (const c of checkpoints) {
    const list = byFingerprint.get(c.fingerprint)
    if (list === undefined) byFingerprint.set(c.fingerprint, [c])
    else list.push(c)
  }
  const plans: Array<PlannedFile> = []
  for (const f of oneForEachFingerprint(files)) {
    const candidates = byFingerprint.get(f.fingerprint)
    const fingerprint = f.fingerprint
    if (candidates === undefined) {
      plans.push({ ...f, fingerprint, start: 0, reason: "new" })
      continue
    }
    const cp = candidates.reduce((a, b) => better(f, a, b))
    const sameFile = cp.dev === f.dev && cp.ino === f.ino
    // Shorter than its checkpoint: the same file was truncated in place (read again from 0), or another file
    // with that first line is a copy still being written (copytruncate): wait for it at the offset.
    plans.push(
      f.size < cp.offset && sameFile
        ? { ...f, fingerprint, start: 0, reason: "truncated" }
        : { ...f, fingerprint, start: cp.offset, reason: "resume" }
    )
  }
  return plans
}

/** What one run listed: the `--log` it was given, the files found there, and whether the listing settled. */
export interface RunScope {
  readonly log: string
  readonly listed: ReadonlyArray<{ readonly path: string }>
  /** False while logrotate was moving files: nothing can be judged gone then. */
  readonly settled: boolean
}

const trimSlashes = (p: string): string => (p.length > 1 ? p.replace(/\/+$/, "") : p)
const directoryOf = (p: string): string => {
  const i = p.lastIndexOf("/")
  return i < 0 ? "." : i === 0 ? "/" : p.slice(0, i)
}

/**
 * The checkpoints a run keeps beside those of the files it planned: a checkpoint is forgotten only when its
 * file is really gone, i.e. the run listed the whole directory it was in, the listing settled, and no file
 * there has its fingerprint. A run given one file (`--log FILE`: it lists only that file) keeps all the
 * others, so the next ordinary run resumes `eve.json.1`... where it stopped instead of sending it again.
 */
export const keptCheckpoints = (
  previous: ReadonlyArray<FileCheckpoint>,
  plans: ReadonlyArray<PlannedFile>,
  scope: RunScope
): Array<FileCheckpoint> => {
  const planned = new Set(plans.map((p) => p.fingerprint))
  const unplanned = previous.filter((c) => !planned.has(c.fingerprint))
  const log = trimSlashes(scope.log)
  const oneFile = scope.listed.length === 1 && trimSlashes(scope.listed[0]!.path) === log
  if (!scope.settled || oneFile) return unplanned
  // The directories this run saw whole: the one given, and where its files were found.
  const seen = new Set([log, ...scope.listed.map((f) => directoryOf(f.path))])
  return unplanned.filter((c) => !seen.has(directoryOf(c.path)))
}

/** The checkpoints to store: the run's own (one per planned file), then those it kept. */
export const mergeCheckpoints = (
  own: ReadonlyArray<FileCheckpoint>,
  kept: ReadonlyArray<FileCheckpoint>
): Array<FileCheckpoint> => [...own, ...kept]

/** Whether any planned file has bytes beyond where reading would start. */
export const hasNewBytes = (plans: ReadonlyArray<PlannedFile>): boolean => plans.some((p) => p.size > p.start)

/** The checkpoints to store: one per planned file, at `offsetOf(plan)` (its delivered offset). */
export const checkpointsFor = (
  plans: ReadonlyArray<PlannedFile>,
  offsetOf: (p: PlannedFile, index: number) => number
): Array<FileCheckpoint> =>
  plans.map((p, i) => ({ fingerprint: p.fingerprint, path: p.path, dev: p.dev, ino: p.ino, offset: offsetOf(p, i) }))

/**
 * Contiguous acknowledgement for one file. Items are registered in file order (`add` for an event that
 * will be sent, `advance` for bytes that need no answer); answers (`done`) come in any order; `offset` is
 * the end of the longest prefix that is entirely done.
 */
export class AckTracker {
  private readonly ends: Array<number> = []
  private readonly finished: Array<boolean> = []
  /** Id of the item at index 0 of the arrays. */
  private base = 0
  private head = 0
  private watermark: number
  private pendingCount = 0

  constructor(start: number) {
    this.watermark = start
  }

  /** The offset every byte before which is delivered or needs no delivery. */
  get offset(): number {
    return this.watermark
  }

  /** Events registered and not yet answered. */
  get pending(): number {
    return this.pendingCount
  }

  /** Registers an event ending at `end` (exclusive byte offset after its line); returns its id. */
  add(end: number): number {
    this.ends.push(end)
    this.finished.push(false)
    this.pendingCount++
    return this.base + this.ends.length - 1
  }

  /** Everything up to `end` that was not registered needs no answer. */
  advance(end: number): void {
    if (this.head === this.ends.length) {
      if (end > this.watermark) this.watermark = end
      return
    }
    this.ends.push(end)
    this.finished.push(true)
  }

  /** The event `id` was acknowledged or rejected. */
  done(id: number): void {
    const i = id - this.base
    if (i < this.head || i >= this.ends.length || this.finished[i] === true) return
    this.finished[i] = true
    this.pendingCount--
    while (this.head < this.ends.length && this.finished[this.head] === true) {
      const e = this.ends[this.head]!
      if (e > this.watermark) this.watermark = e
      this.head++
    }
    // Drop the answered prefix now and then so memory stays bounded on long runs.
    if (this.head > 4096 && this.head * 2 > this.ends.length) {
      this.ends.splice(0, this.head)
      this.finished.splice(0, this.head)
      this.base += this.head
      this.head = 0
    }
  }
}
