/**
 * This firewall's own domain names (SPEC section 3): OPNsense's config.xml `system/domain` and resolv.conf's
 * `search`/`domain`, read under a root (`--root` trees have their own). A missing or unreadable file adds
 * nothing: the special-use suffixes and `--internal-domains` still hold.
 */
import { Context, Effect, Layer } from "effect"
import { readOwnTextIfReadable } from "./AtomicFile.js"
import { join } from "node:path"
import { configXmlDomain, resolvConfDomains, type SiteDomain } from "../domain/SiteNames.js"

export interface SiteDomainsService {
  readonly domains: Effect.Effect<ReadonlyArray<SiteDomain>>
}

export class SiteDomains extends Context.Tag("etpro/SiteDomains")<SiteDomains, SiteDomainsService>() {}

export const CONFIG_XML = "/conf/config.xml"
export const RESOLV_CONF = "/etc/resolv.conf"

/** The file's text; undefined when absent, unreadable or not a regular file (read synchronously: ./AtomicFile.ts). */
const text = (path: string) => Effect.sync(() => readOwnTextIfReadable(path))

/** The files under `root` ("/" on a sensor). */
export const layer = (root: string) =>
  Layer.succeed(SiteDomains, {
    domains: Effect.gen(function* () {
      const out: Array<SiteDomain> = []
      const xmlPath = join(root, CONFIG_XML)
      const xml = yield* text(xmlPath)
      const own = xml === undefined ? undefined : configXmlDomain(xml)
      if (own !== undefined) out.push({ domain: own, origin: `system/domain in ${xmlPath}` })
      const resolvPath = join(root, RESOLV_CONF)
      const resolv = yield* text(resolvPath)
      for (const d of resolv === undefined ? [] : resolvConfDomains(resolv)) {
        if (!out.some((o) => o.domain === d)) out.push({ domain: d, origin: `search/domain in ${resolvPath}` })
      }
      return out
    })
  })

/** A firewall with exactly these domains (tests). */
export const layerStatic = (domains: ReadonlyArray<SiteDomain>) => Layer.succeed(SiteDomains, { domains: Effect.succeed(domains) })
