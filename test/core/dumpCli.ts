/**
 * The agent's side of the comparisons: eve lines written to a temporary eve.json and read back by the built
 * CLI's `dump --parsed` (what send-events POSTs, SPEC section 10), with the same HOME_NET and SID list.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { networkInterfaces, tmpdir } from "node:os"
import { join } from "node:path"
import { runBuilt } from "../support/BuiltCli.js"

/**
 * The networks of this host's interfaces, which the CLI counts as local (src/adapters/HostNetworks.ts): the
 * library is given them as `localNetworks` so that both judge the same networks.
 */
export const hostNetworks = (): Array<string> =>
  Object.values(networkInterfaces()).flatMap((addrs) => (addrs ?? []).flatMap((a) => (a.cidr === null ? [] : [a.cidr.replace(/%[^/]*/, "")])))

/** `dump --parsed --since all` over `text` (a whole eve.json): the bodies it prints, in order. */
export const dumpParsed = async (
  text: string,
  opts: { readonly homeNet: ReadonlyArray<string>; readonly sids?: ReadonlyArray<number> | undefined }
): Promise<Array<string>> => {
  const root = await mkdtemp(join(tmpdir(), "etpro-core-dump-"))
  try {
    await writeFile(join(root, "eve.json"), text)
    const sidsFile = join(root, "telemetry_sids.txt")
    if (opts.sids !== undefined) await writeFile(sidsFile, opts.sids.map((s) => `${s}\n`).join(""))
    const args = ["dump", "--root", root, "--log", join(root, "eve.json"), "--since", "all", "--parsed", "--sids", sidsFile]
    // No HOME_NET: no --home-net and a suricata.yaml that does not exist (only private ranges and interfaces).
    if (opts.homeNet.length > 0) args.push("--home-net", opts.homeNet.join(","))
    else args.push("--suricata-yaml", join(root, "suricata.yaml"))
    const r = await runBuilt(args, 60_000)
    if (r.code !== 0) throw new Error(`dump exited ${r.code}: ${r.stderr}`)
    return r.stdout === "" ? [] : r.stdout.replace(/\n$/, "").split("\n")
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}

/** A record as one eve line; bigints (64-bit flow ids) as plain JSON numbers, as Suricata writes them. */
export const lineOf = (record: unknown): string =>
  JSON.stringify(record, (_k, v: unknown) => (typeof v === "bigint" ? `__bigint_${v}__` : v)).replace(/"__bigint_(\d+)__"/g, "$1")
