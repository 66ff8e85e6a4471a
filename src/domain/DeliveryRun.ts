/**
 * One delivery run's bookkeeping, as a state machine the send-events driver steps (src/main/programs/
 * SendEvents.ts): a batch of lines read → events selected and masked (./Outbound.ts, counted by
 * ./DeliveryLedger.ts) → each event's answer (./Delivery.ts) → the checkpoint (./Checkpoint.ts AckTracker),
 * counted once: the state file counts lines only once the checkpoint has passed them, and answers once each.
 * Pure: every time is passed in; nothing here does I/O. `commit` gives what to write, `committed` or
 * `notCommitted` says how the write went.
 */
import type { Counters, FileCheckpoint, HourBucket, Tried } from "./AgentState.js"
import { AckTracker, checkpointsFor, type PlannedFile } from "./Checkpoint.js"
import type { Settled } from "./Delivery.js"
import { addBuckets, bumpHour, countBatch, type LinesRead, PendingCounts, subCounters, zeroCounters } from "./DeliveryLedger.js"
import type { Outbound } from "./Outbound.js"

/** One event to send: its body, its file and its place there. */
export interface Event {
  readonly file: number
  readonly id: number
  readonly json: string
  /** The offset after its line. */
  readonly end: number
  /** Attempts earlier runs made on it (remembered at the checkpoint). */
  readonly earlier: number
}

/** One write of the state: offsets, counters not yet written, hourly buckets, audit lines, attempts. */
export interface Commit {
  readonly files: ReadonlyArray<FileCheckpoint>
  readonly delta: Counters
  readonly hours: ReadonlyArray<HourBucket>
  readonly audit: ReadonlyArray<string>
  readonly tried: ReadonlyArray<Tried>
  readonly snapshot: Counters
}

const key = (fingerprint: string, end: number) => `${fingerprint}:${end}`

export class DeliveryRun {
  /** The run's own summary: lines counted as read, answers as they come. */
  readonly counters = zeroCounters()
  /** What the state file may count: answers at once, lines once the checkpoint passes them. */
  private readonly ledger = zeroCounters()
  private persisted: Counters = zeroCounters()
  private hourly = new Map<number, HourBucket>()
  private audited: Array<string> = []
  private readonly trackers: Array<AckTracker | undefined>
  private readonly pending: Array<PendingCounts | undefined>
  /** Attempts remembered from earlier runs, and those of this run on events not answered yet. */
  private readonly remembered: Map<string, Tried>
  private readonly attempts = new Map<string, Tried>()
  /** Events answered (any way) in this run. */
  answered = 0
  /** Something changed since the last commit. */
  dirty = false
  bytesRead = 0
  readonly plannedBytes: number

  constructor(
    private readonly plans: ReadonlyArray<PlannedFile>,
    /** Checkpoints of files not seen in this run's listing, kept as they are. */
    private readonly unmatched: ReadonlyArray<FileCheckpoint>,
    remembered: ReadonlyArray<Tried>
  ) {
    this.trackers = plans.map(() => undefined)
    this.pending = plans.map(() => undefined)
    this.remembered = new Map(remembered.map((t) => [key(t.fingerprint, t.end), t]))
    this.plannedBytes = plans.reduce((n, p) => n + Math.max(0, p.size - p.start), 0)
  }

  /** A file's reading starts (from its planned offset). */
  open(file: number): void {
    this.trackers[file] = new AckTracker(this.plans[file]!.start)
    this.pending[file] = new PendingCounts()
  }

  /** A batch of lines read from `file` at `now`: counted, and its events (in file order) to send. */
  read(file: number, batch: LinesRead, readFrom: number, now: number, step: (line: string) => Outbound): Array<Event> {
    const tracker = this.trackers[file]!
    const fingerprint = this.plans[file]!.fingerprint
    const events: Array<Event> = []
    countBatch(batch, now, step, this.counters, this.pending[file]!, (json, end) =>
      events.push({ file, id: tracker.add(end), json, end, earlier: this.remembered.get(key(fingerprint, end))?.tries ?? 0 })
    )
    tracker.advance(batch.end)
    this.bytesRead += batch.end - readFrom
    this.dirty = true
    return events
  }

  /** An attempt on `ev` reached the service and failed: remembered, should the run end before its answer. */
  tried(ev: Event, attempts: number): void {
    const fingerprint = this.plans[ev.file]!.fingerprint
    this.attempts.set(key(fingerprint, ev.end), { fingerprint, end: ev.end, tries: ev.earlier + attempts })
    this.dirty = true
  }

  /** `ev` is settled at `now`; `audit`: its audit line when sent. Returns the rejections so far (for logging). */
  settle(ev: Event, as: Settled, now: number, audit?: string): number {
    const fingerprint = this.plans[ev.file]!.fingerprint
    this.attempts.delete(key(fingerprint, ev.end))
    this.remembered.delete(key(fingerprint, ev.end))
    this.answered++
    this.trackers[ev.file]!.done(ev.id)
    this.dirty = true
    this.counters[as]++
    this.ledger[as]++
    if (as !== "skipped") bumpHour(this.hourly, now, as)
    if (audit !== undefined) this.audited.push(audit)
    return this.counters.rejected
  }

  /** The checkpoints as they stand. */
  offsets(): Array<FileCheckpoint> {
    return [...checkpointsFor(this.plans, (p, i) => this.trackers[i]?.offset ?? p.start), ...this.unmatched]
  }

  /** What to write now; the run's accumulations are taken (a failed write gives them back: `notCommitted`). */
  commit(): Commit {
    this.plans.forEach((p, i) => this.pending[i]?.settle(this.trackers[i]?.offset ?? p.start, this.ledger, this.hourly))
    const snapshot = { ...this.ledger }
    const files = this.offsets()
    const past = new Map(files.map((f) => [f.fingerprint, f.offset]))
    // Attempts are kept only for events the checkpoint has not passed.
    const tried = [...this.remembered.values(), ...this.attempts.values()].filter((t) => t.end > (past.get(t.fingerprint) ?? Infinity))
    const c: Commit = { files, delta: subCounters(snapshot, this.persisted), hours: [...this.hourly.values()], audit: this.audited, tried, snapshot }
    this.hourly = new Map()
    this.audited = []
    this.dirty = false
    return c
  }

  committed(c: Commit): void {
    this.persisted = c.snapshot
  }

  /** The write failed: its buckets go into the next one (the counters' delta is recomputed anyway). */
  notCommitted(c: Commit): void {
    for (const b of c.hours) {
      const cur = this.hourly.get(b.hour)
      this.hourly.set(b.hour, cur === undefined ? b : addBuckets(cur, b))
    }
    this.audited = [...c.audit, ...this.audited]
    this.dirty = true
  }
}
