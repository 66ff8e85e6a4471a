/**
 * Loads what the sanitiser needs on this sensor: local networks (HOME_NET from suricata.yaml and its includes,
 * or `--home-net`; this host's interfaces; the always-private ranges) and the telemetry SID selection.
 * A suricata.yaml that cannot be fully understood fails closed (every address local, said once); an absent one
 * leaves the interfaces and private ranges. A bad `--home-net` entry or an unreadable telemetry_sids.txt is a
 * configuration error (exit 2); an absent SID file means every alert, one that lists none selects nothing.
 */
import { Effect } from "effect"
import { HostNetworks } from "../adapters/HostNetworks.js"
import * as SiteDomains from "../adapters/SiteDomains.js"
import * as SuricataConfig from "../adapters/SuricataConfig.js"
import { type HomeNet, homeNetFromDocuments, homeNetFromFlag } from "../domain/HomeNet.js"
import { localNetworks, type NetworkSet } from "../domain/Network.js"
import { type NamePolicy, parseInternalDomains } from "../domain/SiteNames.js"
import { NO_SID, parseTelemetrySids } from "../domain/TelemetrySids.js"
import { CliFailure, ExitCode } from "./Failure.js"

export interface Privacy {
  readonly local: NetworkSet
  /** Telemetry SIDs; empty means every alert (no file), `NO_SID` nothing (a file listing none). */
  readonly sids: ReadonlySet<number>
  readonly warnings: ReadonlyArray<string>
  /** Domains whose names are internal (this firewall's own, `--internal-domains`); absent: none. */
  readonly names?: NamePolicy
}

const usage = (message: string) => new CliFailure({ message, exitCode: ExitCode.usage })

const homeNetOf = (opts: { readonly suricataYaml: string; readonly homeNet?: string | undefined }) =>
  Effect.gen(function* () {
    if (opts.homeNet !== undefined) return yield* fromFlag(opts.homeNet)
    const found = yield* fromSuricataYaml(opts.suricataYaml)
    if (found === undefined) {
      const home: HomeNet = { cidrs: [], warnings: [] }
      return { home, warnings: [`${opts.suricataYaml} not found: HOME_NET unknown, only interface networks and private ranges are local`] }
    }
    return found
  })

/** `--home-net`: a bad entry is a usage error. */
const fromFlag = (value: string) => {
  const h = homeNetFromFlag(value)
  return h.failure !== undefined
    ? Effect.fail(usage(`--home-net ${JSON.stringify(value)}: ${h.failure}`))
    : Effect.succeed({ home: h, warnings: [...h.warnings] })
}

/** HOME_NET from suricata.yaml and its includes; undefined when the file is absent. */
const fromSuricataYaml = (path: string) =>
  Effect.gen(function* () {
    const docs = yield* SuricataConfig.includeTree(path)
    if (docs === undefined) return undefined
    const home = homeNetFromDocuments(docs)
    const failed = home.failure === undefined
      ? []
      : [`HOME_NET cannot be fully understood (${home.failure}): every address is treated as local for this run`]
    return { home, warnings: [...failed, ...home.warnings] }
  })

/**
 * The recorded sensor's HOME_NET for `replay`: `--home-net`, or the given suricata.yaml with its includes (read
 * as for dump and send-events; one that is absent is a usage error), or none. This host's interfaces are not
 * asked: they would make the output depend on where the replay runs.
 */
export const loadRecordedHomeNet = (opts: { readonly suricataYaml?: string | undefined; readonly homeNet?: string | undefined }) =>
  Effect.gen(function* () {
    const found = opts.homeNet !== undefined
      ? yield* fromFlag(opts.homeNet)
      : opts.suricataYaml !== undefined
      ? yield* fromSuricataYaml(opts.suricataYaml)
      : { home: { cidrs: [] }, warnings: [] }
    if (found === undefined) return yield* usage(`cannot read suricata.yaml ${opts.suricataYaml} (ENOENT)`)
    return { local: localNetworks(found.home.cidrs, []), warnings: found.warnings as ReadonlyArray<string> }
  }).pipe(Effect.provide(SuricataConfig.layer))

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

/**
 * Names policy inputs (issue 25): `--internal-domains` (a bad entry is exit 2) and, when `siteRoot` is given,
 * this firewall's own domain read from the files under it.
 */
const namesOf = (opts: { readonly internalDomains?: string | undefined; readonly siteRoot?: string | undefined }) =>
  Effect.gen(function* () {
    const flag = opts.internalDomains === undefined ? { domains: [] } : parseInternalDomains(opts.internalDomains)
    if (flag.invalid !== undefined) return yield* usage(`--internal-domains: ${JSON.stringify(flag.invalid)} is not a domain name`)
    const own = opts.siteRoot === undefined
      ? []
      : yield* Effect.flatMap(SiteDomains.SiteDomains, (s) => s.domains).pipe(Effect.provide(SiteDomains.layer(opts.siteRoot)))
    return { domains: [...own, ...flag.domains] } satisfies NamePolicy
  })

export const loadPrivacy = (opts: {
  readonly suricataYaml: string
  readonly sidsFile: string
  readonly homeNet?: string | undefined
  readonly internalDomains?: string | undefined
  /** Where this firewall's config.xml and resolv.conf are read (the sensor's root); absent: not read. */
  readonly siteRoot?: string | undefined
}) =>
  Effect.gen(function* () {
    const names = yield* namesOf(opts)
    const privacy = yield* loadPrivacyFrom(opts).pipe(Effect.provide(SuricataConfig.layer))
    return { ...privacy, names } satisfies Privacy
  })
