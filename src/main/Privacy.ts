/**
 * Loads what the sanitiser needs on this sensor: local networks (HOME_NET from suricata.yaml and its includes,
 * or `--home-net`; this host's interfaces; the always-private ranges) and the telemetry SID selection.
 * A suricata.yaml that cannot be fully understood fails closed (every address local, said once); an absent one
 * leaves the interfaces and private ranges. A bad `--home-net` entry or an unreadable telemetry_sids.txt is a
 * configuration error (exit 2); an absent SID file means every alert, one that lists none selects nothing.
 */
import { Effect } from "effect"
import { HostNetworks } from "../adapters/HostNetworks.js"
import * as SuricataConfig from "../adapters/SuricataConfig.js"
import { type HomeNet, homeNetFromDocuments, homeNetFromFlag } from "../domain/HomeNet.js"
import { localNetworks, type NetworkSet } from "../domain/Network.js"
import { NO_SID, parseTelemetrySids } from "../domain/TelemetrySids.js"
import { CliFailure, ExitCode } from "./Failure.js"

export interface Privacy {
  readonly local: NetworkSet
  /** Telemetry SIDs; empty means every alert (no file), `NO_SID` nothing (a file listing none). */
  readonly sids: ReadonlySet<number>
  readonly warnings: ReadonlyArray<string>
}

const usage = (message: string) => new CliFailure({ message, exitCode: ExitCode.usage })

const homeNetOf = (opts: { readonly suricataYaml: string; readonly homeNet?: string | undefined }) =>
  Effect.gen(function* () {
    if (opts.homeNet !== undefined) {
      const h = homeNetFromFlag(opts.homeNet)
      if (h.failure !== undefined) return yield* usage(`--home-net ${JSON.stringify(opts.homeNet)}: ${h.failure}`)
      return { home: h, warnings: [...h.warnings] }
    }
    const docs = yield* SuricataConfig.includeTree(opts.suricataYaml)
    if (docs === undefined) {
      const home: HomeNet = { cidrs: [], warnings: [] }
      return { home, warnings: [`${opts.suricataYaml} not found: HOME_NET unknown, only interface networks and private ranges are local`] }
    }
    const home = homeNetFromDocuments(docs)
    const failed = home.failure === undefined
      ? []
      : [`HOME_NET cannot be fully understood (${home.failure}): every address is treated as local for this run`]
    return { home, warnings: [...failed, ...home.warnings] }
  })

/** The same, with the suricata.yaml and SID file reader of the caller's choosing (tests). */
export const loadPrivacyFrom = (opts: {
  readonly suricataYaml: string
  readonly sidsFile: string
  readonly homeNet?: string | undefined
}) =>
  Effect.gen(function* () {
    const { home, warnings } = yield* homeNetOf(opts)
    const interfaces = yield* Effect.flatMap(HostNetworks, (h) => h.networks)
    const cfg = yield* SuricataConfig.SuricataConfig
    const file = yield* cfg.read(opts.sidsFile)
    if (file._tag === "unreadable") return yield* usage(`cannot read ${opts.sidsFile} (${file.reason})`)
    let sids: ReadonlySet<number> = new Set<number>()
    if (file._tag === "text") {
      const parsed = parseTelemetrySids(file.text)
      if (parsed.invalid > 0) warnings.push(`${opts.sidsFile}: ${parsed.invalid} lines are not SIDs; ignored`)
      if (parsed.sids.size === 0) warnings.push(`${opts.sidsFile} lists no SID: no alert is selected`)
      sids = parsed.sids.size === 0 ? NO_SID : parsed.sids
    }
    return { local: localNetworks(home.cidrs, interfaces), sids, warnings } satisfies Privacy
  })

export const loadPrivacy = (opts: {
  readonly suricataYaml: string
  readonly sidsFile: string
  readonly homeNet?: string | undefined
}) => loadPrivacyFrom(opts).pipe(Effect.provide(SuricataConfig.layer))
