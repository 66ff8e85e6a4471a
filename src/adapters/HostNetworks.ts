/** The networks of this host's interfaces: their addresses are local too (SPEC section 3). */
import { Context, Effect, Layer } from "effect"
import { networkInterfaces } from "node:os"
import { type Cidr, parseCidr } from "../domain/Network.js"

export interface HostNetworksService {
  readonly networks: Effect.Effect<ReadonlyArray<Cidr>>
}

export class HostNetworks extends Context.Tag("etpro/HostNetworks")<HostNetworks, HostNetworksService>() {}

export const layer = Layer.succeed(HostNetworks, {
  networks: Effect.sync(() =>
    Object.values(networkInterfaces()).flatMap((addrs) =>
      (addrs ?? []).flatMap((a) => {
        // Node gives the CIDR directly; the zone id of link-local addresses is not part of it.
        const c = a.cidr === null ? undefined : parseCidr(a.cidr.replace(/%[^/]*/, ""))
        return c === undefined ? [] : [c]
      })
    )
  )
})

/** A host with exactly these networks (tests, replays of another machine's logs). */
export const layerStatic = (cidrs: ReadonlyArray<string>) =>
  Layer.succeed(HostNetworks, {
    networks: Effect.succeed(cidrs.flatMap((t) => {
      const c = parseCidr(t)
      return c === undefined ? [] : [c]
    }))
  })
