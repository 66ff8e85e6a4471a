/**
 * One eve line → the event `send-events` would POST for it, or why it is skipped. No rule of its own: it
 * builds the sensor context (HOME_NET as `--home-net` reads it, extra local networks, the telemetry SIDs) and
 * asks the domain's one outbound step (src/domain/Outbound.ts), so its bytes are `dump --parsed`'s bytes.
 * Runtime-neutral: no Node built-in, no process, no file system (test/core/NeutralBundle.test.ts).
 */
import { Data, Effect, Stream } from "effect"
import { homeNetFromFlag } from "../domain/HomeNet.js"
import { localNetworks as localNetworkSet, parseCidrs } from "../domain/Network.js"
import { ALERT_NEEDLE, makeOutbound } from "../domain/Outbound.js"
import { NO_SID } from "../domain/TelemetrySids.js"
import { parseInternalDomains } from "../domain/SiteNames.js"

export interface SanitiseOptions {
  /**
   * HOME_NET, as Suricata writes it: CIDRs, addresses, netmasks, ranges, `!` negations and `[...]` groups
   * (`["10.0.0.0/8", "fd00::/8"]` or `"[10.0.0.0/8,!10.9.0.0/16]"`), read exactly as `--home-net` is. `[]`: none
   * (the always-private ranges are local whatever HOME_NET says).
   */
  readonly homeNet: string | ReadonlyArray<string>
  /** More local networks (the sensor's interfaces, in the agent): CIDRs or bare addresses. */
  readonly localNetworks?: ReadonlyArray<string> | undefined
  /** The telemetry SID list. Absent: every alert; empty: none (as a telemetry_sids.txt listing none). */
  readonly sids?: Iterable<number> | undefined
  /**
   * Internal DNS suffixes (`corp.example`, `acme.lan`) whose names are masked label by label, as
   * `--internal-domains` (the special-use suffixes such as `.local` and `.home.arpa` always are).
   */
  readonly internalDomains?: ReadonlyArray<string> | undefined
  /** Epoch ms: alerts stamped earlier are skipped as `expired` (send-events' `--max-age`). Absent: no limit. */
  readonly notBefore?: number | undefined
}

/** Why a line produced no event: the outbound step's verdicts, and the line reader's. */
export type SkipReason = "bad-line" | "line-too-long" | "not-alert" | "sid-not-listed" | "expired" | "bad-timestamp"

export type SanitiseResult =
  | {
      readonly kind: "event"
      /** The JSON body, byte for byte what send-events POSTs. */
      readonly body: string
      /** Values at address keys that were not addresses, dropped. */
      readonly droppedAddresses: number
    }
  | { readonly kind: "skipped"; readonly reason: SkipReason }

/** Options that cannot be understood: refused, never guessed (a HOME_NET entry ignored would leak). */
export class InvalidSanitiseOptions extends Data.TaggedError("InvalidSanitiseOptions")<{ readonly message: string }> {}

/**
 * The longest line the agent reads (src/adapters/EveLog.ts MAX_LINE_BYTES; a longer one is a bad line there).
 * Said again here because the adapter reaches Node; test/core/sanitiseLine.test.ts holds the two equal.
 */
export const MAX_LINE_BYTES = 1024 * 1024

const utf8Length = (s: string): number => {
  // Most lines are far below the limit: only a long one is measured.
  if (s.length * 3 <= MAX_LINE_BYTES) return s.length
  return new TextEncoder().encode(s).length
}

/** A line sanitiser for one set of options, checked and built once (for a loop over many lines). */
export const makeLineSanitiserEither = (
  options: SanitiseOptions
): { readonly sanitise: (line: string) => SanitiseResult } | InvalidSanitiseOptions => {
  const homeText = typeof options.homeNet === "string" ? options.homeNet : options.homeNet.join(",")
  // An empty list: no HOME_NET (only the private ranges and localNetworks), as a sensor without suricata.yaml.
  const home = Array.isArray(options.homeNet) && options.homeNet.length === 0 ? { cidrs: [] } : homeNetFromFlag(homeText)
  if ("failure" in home && home.failure !== undefined) {
    return new InvalidSanitiseOptions({ message: `homeNet ${JSON.stringify(homeText)}: ${home.failure}` })
  }
  const extra = parseCidrs(options.localNetworks ?? [])
  if (extra.invalid.length > 0) {
    return new InvalidSanitiseOptions({ message: `localNetworks: ${JSON.stringify(extra.invalid[0])} is not a network or address` })
  }
  const sidList = options.sids === undefined ? undefined : [...options.sids]
  const badSid = sidList?.find((s) => !Number.isSafeInteger(s) || s < 0)
  if (badSid !== undefined) return new InvalidSanitiseOptions({ message: `sids: ${badSid} is not a SID` })
  // Read exactly as `--internal-domains` is: a bad entry is refused, never ignored.
  const names = parseInternalDomains((options.internalDomains ?? []).join(","))
  if (names.invalid !== undefined) {
    return new InvalidSanitiseOptions({ message: `internalDomains: ${JSON.stringify(names.invalid)} is not a domain name` })
  }
  const sids: ReadonlySet<number> = sidList === undefined ? new Set() : sidList.length === 0 ? NO_SID : new Set(sidList)
  const outbound = makeOutbound({ local: localNetworkSet(home.cidrs, extra.cidrs), sids, names: { domains: names.domains } })
  const notBefore = options.notBefore
  return {
    sanitise: (raw) => {
      // As the agent's reader cuts lines: one trailing CR is not part of the line.
      const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw
      if (line.indexOf("\n") >= 0 || line.trim() === "") return { kind: "skipped", reason: "bad-line" }
      if (utf8Length(raw) > MAX_LINE_BYTES) return { kind: "skipped", reason: "line-too-long" }
      if (line.indexOf(ALERT_NEEDLE) < 0) return { kind: "skipped", reason: "not-alert" }
      const o = outbound.line(line, notBefore)
      return o.verdict === "send"
        ? { kind: "event", body: o.json, droppedAddresses: o.droppedAddresses }
        : { kind: "skipped", reason: o.verdict }
    }
  }
}

/** A line sanitiser for one set of options; throws `InvalidSanitiseOptions` when they cannot be understood. */
export const makeLineSanitiser = (options: SanitiseOptions): ((line: string) => SanitiseResult) => {
  const s = makeLineSanitiserEither(options)
  if (s instanceof InvalidSanitiseOptions) throw s
  return s.sanitise
}

/** One eve line (without its newline) → its event or why it is skipped. Throws on options it cannot read. */
export const sanitiseLine = (line: string, options: SanitiseOptions): SanitiseResult => makeLineSanitiser(options)(line)

/** The Effect program: bad options are a typed failure. */
export const sanitiseLineEffect = (line: string, options: SanitiseOptions): Effect.Effect<SanitiseResult, InvalidSanitiseOptions> =>
  Effect.suspend(() => {
    const s = makeLineSanitiserEither(options)
    return s instanceof InvalidSanitiseOptions ? Effect.fail(s) : Effect.succeed(s.sanitise(line))
  })

/** A stream of eve lines → a stream of results, the options checked once. */
export const sanitiseLines =
  (options: SanitiseOptions) =>
  <E, R>(lines: Stream.Stream<string, E, R>): Stream.Stream<SanitiseResult, E | InvalidSanitiseOptions, R> =>
    Stream.unwrap(
      Effect.suspend(() => {
        const s = makeLineSanitiserEither(options)
        return s instanceof InvalidSanitiseOptions ? Effect.fail(s) : Effect.succeed(Stream.map(lines, s.sanitise))
      })
    )
