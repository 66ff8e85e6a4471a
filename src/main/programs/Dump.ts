/**
 * `dump`: prints eve records, raw or exactly as `send-events` would POST them (`--parsed`), so an operator
 * can see what would leave the machine. `--explain` adds, beside each event, what was dropped and masked.
 */
import { Clock, Effect, Stream } from "effect"
import { EveLog } from "../../adapters/EveLog.js"
import { Output } from "../../adapters/Output.js"
import { Progress } from "../../adapters/Progress.js"
import { ALERT_NEEDLE, makeOutbound } from "../../domain/Outbound.js"
import { nulBytesNote, selectionWords } from "../../domain/DeliveryLedger.js"
import { grouped } from "../../domain/ProgressLine.js"
import { parseTimestamp } from "../../domain/Timestamp.js"
import type { Privacy } from "../Privacy.js"
import type { DumpOptions } from "./DumpOptions.js"

/** What one dump reads: fields of dump's options Schema (./DumpOptions.ts), the resolved log and privacy set-up. */
export type DumpRun = Pick<DumpOptions, "parsed" | "explain"> &
  Partial<Pick<DumpOptions, "limit">> & {
    readonly log: string
    /** Milliseconds back from now, or all records. */
    readonly since: number | "all"
    readonly privacy: Privacy
  }

export interface DumpCounts {
  files: number
  lines: number
  alerts: number
  selected: number
  printed: number
  badLines: number
  droppedAddresses: number
  expired: number
  notListed: number
  /** NUL bytes read as line breaks (issue 24 row 2), said once. */
  nulBytes: number
}

export const dump = (opts: DumpRun) =>
  Effect.gen(function* () {
    const eve = yield* EveLog
    const output = yield* Output
    const progress = yield* Progress
    const now = yield* Clock.currentTimeMillis
    const notBefore = opts.since === "all" ? undefined : now - opts.since
    const outbound = makeOutbound(opts.privacy, { explain: opts.explain })
    const limit = opts.limit ?? Infinity
    const counts: DumpCounts = {
      files: 0, lines: 0, alerts: 0, selected: 0, printed: 0, badLines: 0, droppedAddresses: 0, expired: 0, notListed: 0, nulBytes: 0
    }
    const droppedPaths = new Map<string, number>()
    const maskedPaths = new Map<string, number>()
    const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1)

    const handle = (line: string): string | undefined => {
      const rec = outbound.parse(line)
      if (rec === undefined) {
        counts.badLines++
        return undefined
      }
      // Raw records are only selected; parsed ones also sanitised, exactly as send-events sends them.
      const o = opts.parsed ? outbound.decide(rec, notBefore) : undefined
      const verdict = o?.verdict ?? outbound.verdict(rec, notBefore)
      if (verdict !== "not-alert") counts.alerts++
      if (verdict === "expired") counts.expired++
      if (verdict === "sid-not-listed") counts.notListed++
      if (!opts.parsed) {
        if (typeof rec !== "object" || rec === null || Array.isArray(rec)) {
          counts.badLines++
          return undefined
        }
        const ts = (rec as { timestamp?: unknown }).timestamp
        const t = typeof ts === "string" ? parseTimestamp(ts) : undefined
        if (notBefore !== undefined && (t === undefined || t < notBefore)) return undefined
        return line
      }
      if (verdict === "bad-timestamp") counts.badLines++
      if (o?.verdict !== "send") return undefined
      counts.selected++
      counts.droppedAddresses += o.droppedAddresses
      const { json: body, explanation } = o
      if (explanation === undefined) return body
      explanation.dropped.forEach((p) => bump(droppedPaths, p))
      explanation.masked.forEach((m) => bump(maskedPaths, m.path))
      return `{"sent":${body},"dropped":${JSON.stringify(explanation.dropped)},"masked":${JSON.stringify(
        explanation.masked
      )},"invalid_addresses":${JSON.stringify(explanation.invalidAddresses)}}`
    }

    const { files, skipped } = yield* eve.list(opts.log)
    for (const f of skipped) yield* output.err(`emergingthreats: dump: skipped ${f.path}: ${f.why}`)
    for (const file of files) {
      if (counts.printed >= limit) break
      counts.files++
      // mapEffect + takeWhile rather than Stream.runForEachWhile: in effect 3.22 the latter nests a catchAll
      // frame per element that is only unwound at the end, keeping every batch alive (RSS grew with the log).
      yield* eve.read(file.path, { start: 0, prefilter: opts.parsed ? ALERT_NEEDLE : undefined }).pipe(
        Stream.mapEffect((batch) =>
          Effect.gen(function* () {
            counts.lines += batch.lineCount
            counts.badLines += batch.bad
            counts.nulBytes += batch.nulBytes
            const printed: Array<string> = []
            for (const line of batch.lines) {
              if (counts.printed >= limit) break
              const out = handle(line)
              if (out !== undefined) {
                printed.push(out)
                counts.printed++
              }
            }
            yield* output.outLines(printed)
            yield* progress.update(() => ({ doing: `reading ${file.path}`, done: counts.lines, unit: "lines", detail: `${grouped(counts.printed)} printed` }))
            return counts.printed < limit
          })
        ),
        Stream.takeWhile((more) => more),
        Stream.runDrain
      )
    }
    yield* progress.clear
    if (counts.nulBytes > 0) yield* output.err(`emergingthreats: dump: ${nulBytesNote(counts.nulBytes)}`)
    if (opts.explain) {
      const top = (m: Map<string, number>) =>
        [...m].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}×${n}`).join(", ") || "none"
      yield* output.err(`emergingthreats: dump: explain: dropped ${top(droppedPaths)}`)
      yield* output.err(`emergingthreats: dump: explain: masked ${top(maskedPaths)}`)
    }
    return counts
  })

/** In the ledger's words (src/domain/DeliveryLedger.ts), then what only dump counts. */
export const summary = (c: DumpCounts): string =>
  `emergingthreats: dump: ${c.files} files, ` +
  selectionWords({ read: c.lines, selected: c.selected, expired: c.expired, skippedBadLine: c.badLines }, undefined) +
  `; ${c.alerts} alerts, ${c.notListed} not in telemetry SIDs, ${c.printed} printed, ${c.droppedAddresses} dropped address values`
