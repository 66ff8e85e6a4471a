/**
 * Loads what the sanitiser needs on this sensor: local networks (HOME_NET from suricata.yaml and its includes,
 * as Suricata reads them, or `--home-net`; this host's interfaces whatever their link state, and those the
 * state file remembers; the always-private ranges) and the telemetry SID selection.
 * A suricata.yaml that cannot be fully understood fails closed (every address local, said once); an absent one
 * leaves the interfaces and private ranges. A bad `--home-net` entry or an unreadable telemetry_sids.txt is a
 * configuration error (exit 2); an absent SID file means every alert, one that lists none selects nothing.
 */
import { Clock, Data, Effect } from "effect"
import { HostNetworks, rememberedIn } from "../adapters/HostNetworks.js"
import { StateStore } from "../adapters/StateStore.js"
import * as SiteDomains from "../adapters/SiteDomains.js"
import * as SuricataConfig from "../adapters/SuricataConfig.js"
import type { RememberedNetwork } from "../domain/AgentState.js"
import { expandedIp } from "../domain/Ip.js"
import { liveMemory, memoryChanged, rememberNetworks } from "../domain/LocalNetworkMemory.js"
import { type HomeNet, homeNetFromConfig, homeNetFromFlag } from "../domain/HomeNet.js"
import { type Cidr, localNetworks, type NetworkSet, parseCidr } from "../domain/Network.js"
import { type NamePolicy, parseInternalDomains } from "../domain/SiteNames.js"
import { NO_SID, parseTelemetrySids } from "../domain/TelemetrySids.js"

export interface Privacy {
  readonly local: NetworkSet
  /** Telemetry SIDs; empty means every alert (no file), `NO_SID` nothing (a file listing none). */
  readonly sids: ReadonlySet<number>
  readonly warnings: ReadonlyArray<string>
  /** This host's networks now (CIDR texts), for the state file's memory (rememberHostNetworks). */
  readonly hostNetworks?: ReadonlyArray<string>
  /** What the state file remembered when this was loaded. */
  readonly remembered?: ReadonlyArray<RememberedNetwork>
  /** Domains whose names are internal (this firewall's own, `--internal-domains`); absent: none. */
  readonly names?: NamePolicy
}

/** A HOME_NET or SID list that cannot be used: a configuration error (exit 2, ./Failure.ts). */
export class PrivacyConfigError extends Data.TaggedError("ConfigError")<{ readonly message: string }> {}

const usage = (message: string) => new PrivacyConfigError({ message })

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
    const load = yield* SuricataConfig.loadConfig(path)
    if (load._tag === "absent") return undefined
    const home = homeNetFromConfig(load)
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

const cidrText = (c: Cidr) => `${expandedIp(c.ip)}/${c.prefix}`

/** The networks the state file remembers (within `--max-age`), as local networks saying when they were seen. */
const rememberedCidrs = (memory: ReadonlyArray<RememberedNetwork>): Array<Cidr> =>
  memory.flatMap((m) => {
    const c = parseCidr(m.cidr)
    return c === undefined ? [] : [{ ...c, origin: `this host's interface, last seen ${new Date(m.lastSeen).toISOString()}` }]
  })

/** The same, with the suricata.yaml and SID file reader of the caller's choosing (tests). */
export const loadPrivacyFrom = (opts: {
  readonly suricataYaml: string
  readonly sidsFile: string
  readonly homeNet?: string | undefined
  /** The state file whose remembered networks count as local (issue 25, point 3). */
  readonly statePath?: string | undefined
  /** send-events' `--max-age`: remembered networks last seen before it are not needed. */
  readonly maxAgeMs?: number | undefined
}) =>
  Effect.gen(function* () {
    const { home, warnings } = yield* homeNetOf(opts)
    const interfaces = yield* Effect.flatMap(HostNetworks, (h) => h.networks)
    const now = yield* Clock.currentTimeMillis
    const remembered = opts.statePath === undefined ? [] : yield* rememberedIn(opts.statePath)
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
    const hostNetworks = interfaces.map(cidrText)
    const earlier = rememberedCidrs(liveMemory(remembered, now, opts.maxAgeMs))
    return {
      local: localNetworks(home.cidrs, [...interfaces, ...earlier]),
      sids,
      warnings,
      hostNetworks,
      remembered
    } satisfies Privacy
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
  readonly statePath?: string | undefined
  readonly maxAgeMs?: number | undefined
  readonly internalDomains?: string | undefined
  /** Where this firewall's config.xml and resolv.conf are read (the sensor's root); absent: not read. */
  readonly siteRoot?: string | undefined
}) =>
  Effect.gen(function* () {
    const names = yield* namesOf(opts)
    const privacy = yield* loadPrivacyFrom(opts).pipe(Effect.provide(SuricataConfig.layer))
    return { ...privacy, names } satisfies Privacy
  })

/**
 * Puts this host's networks on record in the state file (issue 25, point 3), when that changes anything:
 * a new network, one expired, one due a re-stamp. A state file that cannot be written is a warning: the
 * networks are local for this run all the same.
 */
export const rememberHostNetworks = (privacy: Privacy, maxAgeMs: number | undefined) =>
  Effect.gen(function* () {
    const current = privacy.hostNetworks ?? []
    const now = yield* Clock.currentTimeMillis
    if (!memoryChanged(privacy.remembered ?? [], current, now, maxAgeMs)) return privacy
    const store = yield* StateStore
    return yield* store.modify((s) => ({ ...s, localNetworks: rememberNetworks(s.localNetworks ?? [], current, now, maxAgeMs) })).pipe(
      Effect.as(privacy),
      Effect.catchAll((e) =>
        Effect.succeed({ ...privacy, warnings: [...privacy.warnings, `this host's networks not remembered: ${e.message}`] })
      )
    )
  })
