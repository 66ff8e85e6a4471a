/**
 * Loads what the sanitiser needs on this sensor: local networks (HOME_NET from suricata.yaml or `--home-net`,
 * this host's interfaces, the always-private ranges) and the telemetry SID list. Missing files are warnings,
 * never failures: HOME_NET then comes from interfaces and private ranges alone.
 */
import { Effect } from "effect"
import { readFile } from "node:fs/promises"
import { HostNetworks } from "../adapters/HostNetworks.js"
import { homeNetFromFlag, homeNetFromYaml } from "../domain/HomeNet.js"
import { localNetworks, type NetworkSet } from "../domain/Network.js"
import { parseTelemetrySids } from "../domain/TelemetrySids.js"

export interface Privacy {
  readonly local: NetworkSet
  readonly sids: ReadonlySet<number>
  readonly warnings: ReadonlyArray<string>
}

const readText = (path: string) =>
  Effect.tryPromise(() => readFile(path, "utf8")).pipe(
    Effect.map((t): string | undefined => t),
    Effect.catchAll((e) => {
      const code = (e.error as NodeJS.ErrnoException | undefined)?.code
      return code === "ENOENT" ? Effect.succeed(undefined) : Effect.fail(`cannot read ${path} (${code ?? "error"})`)
    })
  )

export const loadPrivacy = (opts: {
  readonly suricataYaml: string
  readonly sidsFile: string
  readonly homeNet?: string | undefined
}) =>
  Effect.gen(function* () {
    const warnings: Array<string> = []
    let home
    if (opts.homeNet !== undefined) home = homeNetFromFlag(opts.homeNet)
    else {
      const yaml = yield* readText(opts.suricataYaml).pipe(
        Effect.catchAll((msg) => Effect.sync(() => void warnings.push(msg)))
      )
      if (typeof yaml === "string") home = homeNetFromYaml(yaml)
      else {
        if (yaml === undefined && warnings.length === 0) warnings.push(`${opts.suricataYaml} not found`)
        home = { cidrs: [], warnings: ["HOME_NET unknown: only interface networks and private ranges are local"] }
      }
    }
    warnings.push(...home.warnings)
    const interfaces = yield* Effect.flatMap(HostNetworks, (h) => h.networks)
    const sidsText = yield* readText(opts.sidsFile).pipe(
      Effect.catchAll((msg) => Effect.sync(() => void warnings.push(msg)))
    )
    const parsed = typeof sidsText === "string" ? parseTelemetrySids(sidsText) : { sids: new Set<number>(), invalid: 0 }
    if (parsed.invalid > 0) warnings.push(`${opts.sidsFile}: ${parsed.invalid} lines are not SIDs; ignored`)
    return { local: localNetworks(home.cidrs, interfaces), sids: parsed.sids, warnings } satisfies Privacy
  })
