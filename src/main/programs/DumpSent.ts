/**
 * `dump --sent [--since D|all]`: prints the bodies the service acknowledged, one a line, from the audit
 * record (src/adapters/AuditLog.ts), and says on stderr how many and from where.
 */
import { Effect } from "effect"
import { AuditLog } from "../../adapters/AuditLog.js"
import { Output } from "../../adapters/Output.js"
import { sentSince } from "../../domain/AuditRecord.js"
import { line } from "../Failure.js"

export interface DumpSentOptions {
  /** Bodies acknowledged at or after this time; undefined: all kept. */
  readonly sinceMs: number | undefined
  /** How `--since` was written (`1d`), for the summary; undefined with `all`. */
  readonly sinceText: string | undefined
}

export const dumpSent = (o: DumpSentOptions) =>
  Effect.gen(function* () {
    const out = yield* Output
    const audit = yield* AuditLog
    let printed = 0
    for (const l of yield* audit.read) {
      const body = sentSince(l, o.sinceMs)
      if (body === undefined) continue
      yield* out.out(body + "\n")
      printed++
    }
    yield* out.err(line("dump", `${printed} bodies sent${o.sinceText === undefined ? "" : ` in the last ${o.sinceText}`}, from ${audit.path}`))
    return printed
  })
