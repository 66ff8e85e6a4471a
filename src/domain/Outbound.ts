/**
 * The one outbound step (SPEC sections 3 and 4): an eve line, in the sensor's context, becomes a verdict and,
 * for an alert that is sent, the event exactly as it is POSTed (plus, on request, what was masked and
 * dropped). `dump`, `send-events` and `replay` all decide through it, so what `dump --parsed` prints is
 * what `send-events` sends. Pure: the age limit's `notBefore` is passed in.
 */
import type { NetworkSet } from "./Network.js"
import type { NamePolicy } from "./SiteNames.js"
import { emptyExplanation, eventToJson, type Explanation, makeSanitiser, parseEveLine } from "./Sanitise.js"
import { selectRecord, type Verdict } from "./Select.js"

/**
 * Only lines holding this text are decoded (send-events, dump --parsed, the core's sanitiseLine): an alert
 * spelled without it (`"\u0061lert"`) is never sent, and a line without it costs no parse.
 */
export const ALERT_NEEDLE = '"alert"'

export interface OutboundContext {
  /** Addresses that are masked: HOME_NET, the host's interfaces, the always-private ranges. */
  readonly local: NetworkSet
  /** Telemetry SIDs; empty means every alert. */
  readonly sids: ReadonlySet<number>
  /** Domains whose names are internal besides the special-use suffixes (SPEC section 3). */
  readonly names?: NamePolicy | undefined
}

export type Outbound =
  | { readonly verdict: "bad-line" }
  | { readonly verdict: Exclude<Verdict, "send">; readonly record: unknown }
  | {
      readonly verdict: "send"
      readonly record: unknown
      /** The body POSTed. */
      readonly json: string
      /** Values at address keys that were not addresses, dropped. */
      readonly droppedAddresses: number
      readonly explanation?: Explanation
    }

export interface OutboundStep {
  /** The record of a line, or undefined when the line is not JSON. */
  readonly parse: (line: string) => unknown
  /** The verdict alone (nothing sanitised): for `dump` of raw records. */
  readonly verdict: (record: unknown, notBefore: number | undefined) => Verdict
  /** The verdict on a parsed record, and its event when it is sent. */
  readonly decide: (record: unknown, notBefore: number | undefined) => Outbound
  /** parse, then decide. */
  readonly line: (line: string, notBefore: number | undefined) => Outbound
}

export const makeOutbound = (ctx: OutboundContext, opts: { readonly explain?: boolean } = {}): OutboundStep => {
  const sanitise = makeSanitiser(ctx.local, ctx.names)
  const parse = (line: string): unknown => {
    try {
      return parseEveLine(line)
    } catch {
      return undefined
    }
  }
  const decide = (record: unknown, notBefore: number | undefined): Outbound => {
    const verdict = selectRecord(record, { sids: ctx.sids, notBefore })
    if (verdict !== "send") return { verdict, record }
    const explanation = opts.explain === true ? emptyExplanation() : undefined
    const { event, droppedAddresses } = sanitise(record, explanation)
    const json = eventToJson(event)
    return explanation === undefined
      ? { verdict, record, json, droppedAddresses }
      : { verdict, record, json, droppedAddresses, explanation }
  }
  return {
    parse,
    verdict: (record, notBefore) => selectRecord(record, { sids: ctx.sids, notBefore }),
    decide,
    line: (line, notBefore) => {
      const record = parse(line)
      return record === undefined ? { verdict: "bad-line" } : decide(record, notBefore)
    }
  }
}
