/**
 * The HostNetworks live service: the system's listing (whatever the link state) joined with Node's list; the
 * real `ip -j addr` of this machine where there is one; the state file's remembered networks read, never
 * written (issue 25, point 3).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { writeFile } from "node:fs/promises"
import { networkInterfaces } from "node:os"
import { join } from "node:path"
import * as HostNetworks from "../../src/adapters/HostNetworks.js"
import { emptyState, renderState } from "../../src/domain/AgentState.js"
import { parseIp } from "../../src/domain/Ip.js"
import { makeNetworkSet } from "../../src/domain/Network.js"
import { tempDir } from "../support/TempDir.js"

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/host-networks/${name}`, import.meta.url), "utf8")

const localTo = (svc: HostNetworks.HostNetworksService) => Effect.map(svc.networks, (c) => makeNetworkSet(c))

describe("HostNetworks.make", () => {
  it.effect("FreeBSD: ifconfig -a, so a WAN without carrier still counts; Node's list joined", () =>
    Effect.gen(function* () {
      const asked: Array<string> = []
      const svc = HostNetworks.make("freebsd", async (file, args) => {
        asked.push([file, ...args].join(" "))
        return fixture("opnsense-wan-down-ifconfig.txt")
      }, () => ["192.0.2.10/24"])
      const set = yield* localTo(svc)
      expect(asked).toEqual(["/sbin/ifconfig -a"])
      for (const a of ["203.0.113.7", "2001:db8:aaaa::5", "198.51.100.33", "192.0.2.99"]) expect(set.contains(parseIp(a)!), a).toBe(true)
      expect(set.contains(parseIp("8.8.8.8")!)).toBe(false)
    }))

  it.effect("Linux: the next place for ip when one fails; Node's list alone when none runs", () =>
    Effect.gen(function* () {
      const asked: Array<string> = []
      const linux = HostNetworks.make("linux", async (file) => {
        asked.push(file)
        return file === "/sbin/ip" ? fixture("linux-ip-j-addr-down.json") : undefined
      }, () => [])
      expect((yield* localTo(linux)).contains(parseIp("203.0.113.7")!)).toBe(true)
      expect(asked).toEqual(["/usr/sbin/ip", "/sbin/ip"])
      const none = HostNetworks.make("linux", async () => undefined, () => ["192.0.2.10/24", "fe80::1%eth0/64"])
      const set = yield* localTo(none)
      expect(set.contains(parseIp("192.0.2.1")!)).toBe(true)
      expect(set.contains(parseIp("fe80::99")!)).toBe(true)
      expect(set.contains(parseIp("203.0.113.7")!)).toBe(false)
    }))

  it.effect("the listing runs again only when Node lists an address it does not hold, or after REFRESH_MS; an address Node no longer lists stays in meanwhile", () =>
    Effect.gen(function* () {
      let runs = 0
      let node = ["192.0.2.10/24"]
      let t = 0
      const svc = HostNetworks.make("freebsd", async () => {
        runs++
        return fixture("opnsense-wan-down-ifconfig.txt")
      }, () => node, () => t)
      yield* svc.networks
      t += HostNetworks.REFRESH_MS - 1
      expect((yield* localTo(svc)).contains(parseIp("203.0.113.7")!)).toBe(true)
      expect(runs).toBe(1)
      // A new lease (Node lists it at once): read now, and listed again.
      node = ["192.0.2.10/24", "198.18.7.9/24"]
      const leased = yield* localTo(svc)
      expect(leased.contains(parseIp("198.18.7.1")!)).toBe(true)
      expect(runs).toBe(2)
      // The interface goes down: Node forgets it; it stays local until the next listing.
      node = ["192.0.2.10/24"]
      expect((yield* localTo(svc)).contains(parseIp("198.18.7.1")!)).toBe(true)
      expect(runs).toBe(2)
      t += HostNetworks.REFRESH_MS
      yield* svc.networks
      expect(runs).toBe(3)
    }))

  it.effect("this machine: everything Node lists is in, and the real listing runs", () =>
    Effect.gen(function* () {
      const nets = yield* HostNetworks.make().networks
      const set = makeNetworkSet(nets)
      const node = Object.values(networkInterfaces()).flatMap((a) => a ?? [])
      for (const a of node) expect(set.contains(parseIp(a.address.replace(/%.*/, ""))!), a.address).toBe(true)
      expect(nets.length).toBeGreaterThanOrEqual(node.filter((a) => a.cidr !== null).length > 0 ? 1 : 0)
    }))
})

describe("HostNetworks.rememberedIn", () => {
  it.scoped("reads the state file's remembered networks; none when absent or corrupt", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir()
      const path = join(dir, "state.json")
      expect(yield* HostNetworks.rememberedIn(path)).toEqual([])
      yield* Effect.promise(() => writeFile(path, "{corrupt"))
      expect(yield* HostNetworks.rememberedIn(path)).toEqual([])
      const m = [{ cidr: "198.51.100.33/32", firstSeen: 1, lastSeen: 2 }]
      yield* Effect.promise(() => writeFile(path, renderState({ ...emptyState, localNetworks: m })))
      expect(yield* HostNetworks.rememberedIn(path)).toEqual(m)
    }))
})
