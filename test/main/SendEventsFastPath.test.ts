import { describe, expect, it } from "vitest"
import { appendFile, mkdir, mkdtemp, rename, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { stat } from "node:fs/promises"
import { fingerprintFile } from "../../src/adapters/Fingerprint.js"
import { nothingNew, parseFlags, sendEventsOptions } from "../../src/main/SendEventsFastPath.js"
import { DEFAULT_BASE_URL } from "../../src/main/commands/ApiFlags.js"
import { resolvePaths } from "../../src/domain/Paths.js"
import { alertLine } from "../support/SendHarness.js"

describe("parseFlags", () => {
  it("takes send-events' flags in both forms", () => {
    const f = parseFlags(["--root", "/r", "--direct", "--max-age=2d", "--base-url", "https://x.example", "--insecure"])
    expect(f && Object.fromEntries(f)).toEqual({ "--root": "/r", "--direct": true, "--max-age": "2d", "--base-url": "https://x.example", "--insecure": true })
  })

  it("steps aside for anything unusual", () => {
    for (const args of [["--help"], ["--root"], ["--max-age", "soon"], ["--base-url", "ftp://x"], ["--direct", "--direct"], ["--timeout", "0s"], ["--max-age", "0s"], ["extra"], ["--direct=yes"]]) {
      expect(parseFlags(args), args.join(" ")).toBeUndefined()
    }
  })
})

describe("sendEventsOptions", () => {
  it("resolves the flags with the command's defaults", () => {
    const o = sendEventsOptions(["--root", "/r"])!
    expect(o).toMatchObject({ baseUrl: DEFAULT_BASE_URL, insecure: false, timeoutMs: 5000, maxAgeMs: 86_400_000, direct: false, homeNet: undefined })
    expect(o.paths).toEqual(resolvePaths({ root: "/r" }))
    expect(o.sidsFile).toBe(o.paths.telemetrySids)
  })

  it("takes every flag it knows, and leaves anything else to the full CLI", () => {
    const o = sendEventsOptions(["--max-age", "off", "--timeout=90s", "--direct", "--insecure", "--home-net", "10.0.0.0/8", "--sids", "/s", "--base-url", "http://h:1"])!
    expect(o).toMatchObject({ maxAgeMs: undefined, timeoutMs: 90_000, direct: true, insecure: true, homeNet: "10.0.0.0/8", sidsFile: "/s", baseUrl: "http://h:1" })
    expect(sendEventsOptions(["--internal-domains", "acme.example"])).toMatchObject({ internalDomains: "acme.example" })
    expect(sendEventsOptions(["--help"])).toBeUndefined()
    expect(sendEventsOptions(["--max-age", "0s"])).toBeUndefined()
  })
})

/** A sensor tree whose state file checkpoints eve.json at `offset`. */
const tree = async (opts: { token?: string; offset?: "end" | number; files?: number } = {}) => {
  const root = await mkdtemp(join(tmpdir(), "fast-"))
  const paths = resolvePaths({ root })
  await mkdir(dirname(paths.ruleUpdaterConfig), { recursive: true })
  await writeFile(paths.ruleUpdaterConfig, `[__properties__]\net_telemetry.token = ${opts.token ?? "tok123"}\n`)
  await mkdir(paths.logDir, { recursive: true })
  const eve = join(paths.logDir, "eve.json")
  await writeFile(eve, alertLine(1) + alertLine(2))
  const s = await stat(eve)
  const fingerprint = await fingerprintFile({ path: eve })
  await mkdir(dirname(paths.state), { recursive: true })
  const offset = opts.offset === undefined || opts.offset === "end" ? s.size : opts.offset
  await writeFile(paths.state, JSON.stringify({ version: 1, files: [{ fingerprint, path: eve, dev: s.dev, ino: s.ino, offset }], counters: {}, hourly: [] }))
  return { root, eve, paths }
}

describe("nothingNew", () => {
  it("is true when every file is checkpointed at its end", async () => {
    const t = await tree()
    expect(await nothingNew(["--root", t.root, "--direct"])).toBe(true)
  })

  it("is false (or throws) when there are new bytes, a new or renamed file, no state, or a token to trim", async () => {
    const appended = await tree()
    await appendFile(appended.eve, alertLine(3))
    expect(await nothingNew(["--root", appended.root])).toBe(false)

    const behind = await tree({ offset: 10 })
    expect(await nothingNew(["--root", behind.root])).toBe(false)

    const rotated = await tree()
    await rename(rotated.eve, `${rotated.eve}.1`)
    expect(await nothingNew(["--root", rotated.root])).toBe(false)

    const added = await tree()
    await writeFile(join(added.paths.logDir, "eve.json.1"), alertLine(9))
    expect(await nothingNew(["--root", added.root])).toBe(false)

    const noState = await tree()
    await expect(nothingNew(["--root", noState.root, "--state", join(noState.root, "missing.json")])).rejects.toThrow(/ENOENT/)

    const spaced = await tree({ token: '"tok123 "' })
    expect(await nothingNew(["--root", spaced.root])).toBe(false)
  })

  it("fails (and the caller falls back to the full command) when the token file is missing", async () => {
    const t = await tree()
    await expect(nothingNew(["--root", t.root, "--config", join(t.root, "nope.config")])).rejects.toThrow()
  })
})
