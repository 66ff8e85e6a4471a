/**
 * The networks of this host's interfaces: their addresses are local too (SPEC section 3). Every configured
 * address of every interface, whatever its link state (issue 25, point 3): `ifconfig -a` on FreeBSD/OPNsense
 * (and macOS), `ip -j addr` on Linux, each parsed by domain/InterfaceListing.ts, joined with
 * os.networkInterfaces() (which alone leaves out interfaces that are down). Also reads, never writes, the
 * networks earlier runs remembered in the state file (domain/LocalNetworkMemory.ts).
 */
import { Context, Effect, Layer } from "effect"
import { networkInterfaces } from "node:os"
import { parseState, type RememberedNetwork } from "../domain/AgentState.js"
import { readOwnTextIfReadable } from "./AtomicFile.js"
import { parseIfconfig, parseIpAddrJson } from "../domain/InterfaceListing.js"
import { type Cidr, parseCidr } from "../domain/Network.js"

export interface HostNetworksService {
  readonly networks: Effect.Effect<ReadonlyArray<Cidr>>
}

export class HostNetworks extends Context.Tag("etpro/HostNetworks")<HostNetworks, HostNetworksService>() {}

/** Runs a command; its stdout, or undefined when it could not run, failed or took too long. */
export type Runner = (file: string, args: ReadonlyArray<string>) => Promise<string | undefined>

const LISTING_TIMEOUT_MS = 3_000

const runCommand: Runner = async (file, args) => {
  // Loaded only here: a run that never asks stays free of child_process.
  const { execFile } = await import("node:child_process")
  return new Promise((resolve) =>
    execFile(file, [...args], { timeout: LISTING_TIMEOUT_MS, maxBuffer: 8 * 1024 * 1024, encoding: "utf8" }, (err, stdout) =>
      resolve(err === null ? stdout : undefined)
    )
  )
}

/** Where each system keeps its listing tool (cron's PATH may lack /sbin). */
const LISTINGS: Record<string, { readonly files: ReadonlyArray<string>; readonly args: ReadonlyArray<string>; readonly parse: (t: string) => Array<string> | undefined }> = {
  freebsd: { files: ["/sbin/ifconfig", "ifconfig"], args: ["-a"], parse: parseIfconfig },
  darwin: { files: ["/sbin/ifconfig", "ifconfig"], args: ["-a"], parse: parseIfconfig },
  linux: { files: ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip", "ip"], args: ["-j", "addr", "show"], parse: parseIpAddrJson }
}

/** os.networkInterfaces() as CIDR texts (what Node lists: interfaces that are up). */
const nodeInterfaces = (): Array<string> =>
  Object.values(networkInterfaces()).flatMap((addrs) => (addrs ?? []).flatMap((a) => (a.cidr === null ? [] : [a.cidr])))

const toCidrs = (texts: Iterable<string>): Array<Cidr> => {
  const seen = new Set<string>()
  const out: Array<Cidr> = []
  for (const t of texts) {
    // The zone id of a link-local address is not part of its network.
    const clean = t.replace(/%[^/]*/, "")
    if (seen.has(clean)) continue
    seen.add(clean)
    const c = parseCidr(clean)
    if (c !== undefined) out.push({ ...c, origin: c.origin ?? "this host's interface" })
  }
  return out
}

/**
 * The listing is a child process (`ifconfig -a`, `ip -j addr`): the daemon asks every minute with alerts, so
 * it is kept and run again only when Node's list shows an address it does not hold (a new lease, a new
 * interface: what a minute's alerts can carry) or after REFRESH_MS. Nothing is lost meanwhile: the answer is
 * always what was kept joined with Node's list read now, and an address gone since is masked a while
 * longer (as the state's memory does for --max-age).
 */
export const REFRESH_MS = 10 * 60_000

/** The live service on a platform, with the command runner, Node's list and a monotonic clock of its choosing (tests). */
export const make = (
  platform: string = process.platform,
  run: Runner = runCommand,
  fromNode: () => ReadonlyArray<string> = nodeInterfaces,
  now: () => number = () => performance.now()
): HostNetworksService => {
  // What the last listing and Node's list then held.
  let kept: { readonly known: ReadonlySet<string>; readonly at: number } | undefined
  const list = async (): Promise<ReadonlyArray<string>> => {
    const listing = LISTINGS[platform]
    for (const file of listing?.files ?? []) {
      const out = await run(file, listing!.args)
      const parsed = out === undefined ? undefined : listing!.parse(out)
      if (parsed !== undefined) return parsed
    }
    return []
  }
  return {
    networks: Effect.promise(async () => {
      const node = fromNode()
      const t = now()
      if (kept === undefined || t - kept.at >= REFRESH_MS || node.some((a) => !kept!.known.has(a))) {
        const listed = await list()
        kept = { known: new Set([...listed, ...node]), at: t }
      }
      return toCidrs([...kept.known, ...node])
    })
  }
}

export const layer = Layer.sync(HostNetworks, () => make())

/** A host with exactly these networks (tests, replays of another machine's logs). */
export const layerStatic = (cidrs: ReadonlyArray<string>) =>
  Layer.succeed(HostNetworks, {
    networks: Effect.succeed(cidrs.flatMap((t) => {
      const c = parseCidr(t)
      return c === undefined ? [] : [c]
    }))
  })

/** The networks earlier runs remembered in the state file; none when it is absent, unreadable or corrupt. */
export const rememberedIn = (statePath: string): Effect.Effect<ReadonlyArray<RememberedNetwork>> =>
  Effect.sync(() => {
    const text = readOwnTextIfReadable(statePath)
    const p = text === undefined ? undefined : parseState(text)
    return p?.kind === "ok" ? (p.state.localNetworks ?? []) : []
  })
