import { Effect, Exit } from "effect"
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { gzipSync } from "node:zlib"
import { afterEach, describe, expect, it } from "vitest"
import { RulesArchiveError } from "../../src/adapters/RulesArchive.js"
import { type InstallStep, make, tempLayout } from "../../src/adapters/RulesStore.js"
import { defaultLimits } from "../../src/domain/RulesPlan.js"
import { ensureDirs, isSymlink, ruleset, tgz, visible } from "../support/rulesArchive.js"

const roots: Array<string> = []
afterEach(async () => {
  for (const r of roots.splice(0)) await rm(r, { recursive: true, force: true })
})

const newRoot = async () => {
  const r = await mkdtemp(join(tmpdir(), "etpro-rules-test-"))
  roots.push(r)
  return r
}

const A = ruleset({ "emerging-scan": [2001, 2002], "emerging-dos": [2003], "emerging-web": [2004] }, [2001, 2003])
const B = ruleset({ "emerging-scan": [3001], "emerging-exploit": [3002, 3003] }, [3002])

const setup = async (opts: Parameters<typeof make>[1] = {}) => {
  const root = await newRoot()
  const layout = tempLayout(root)
  await ensureDirs(layout)
  const store = make(layout, opts)
  const install = async (bytes: Buffer, version: string, selection: "all" | Array<string> = "all", at = 1000) => {
    const p = join(root, `archive-${Math.random()}.tgz`)
    await writeFile(p, bytes)
    return Effect.runPromiseExit(store.install(p, { version, selection, at }))
  }
  return { root, layout, store, install }
}

/** What a fresh install of `bytes` shows, in a root of its own. */
const expected = async (bytes: Buffer, version: string, selection: "all" | Array<string> = "all") => {
  const s = await setup()
  const exit = await s.install(bytes, version, selection)
  expect(Exit.isSuccess(exit)).toBe(true)
  return visible(s.layout)
}

const archiveFailure = (exit: Exit.Exit<unknown, unknown>): RulesArchiveError => {
  expect(Exit.isFailure(exit)).toBe(true)
  if (Exit.isSuccess(exit) || exit.cause._tag !== "Fail") throw new Error(`expected a failure, got ${String(exit)}`)
  expect(exit.cause.error).toBeInstanceOf(RulesArchiveError)
  return exit.cause.error as RulesArchiveError
}

describe("RulesStore install", () => {
  it("installs the enabled categories, the SID list, the version and the include file in its own directory", async () => {
    const { root, layout, install, store } = await setup()
    const exit = await install(A, "100", ["emerging-scan", "emerging-dos", "emerging-nope"])
    expect(Exit.isSuccess(exit)).toBe(true)
    const v = await visible(layout)
    expect(Object.keys(v.files).sort()).toEqual(["emerging-dos.rules", "emerging-scan.rules"])
    expect(v.files["emerging-scan.rules"]).toContain("sid:2001;")
    expect(v.sids).toBe("2001\n2003\n")
    expect(JSON.parse(v.version!)).toEqual({ version: "100" })
    expect(v.installed).toContain('default-rule-path: "<agent>/current/rules"')
    const rulesDir = join(layout.agentDir, "current", "rules")
    await expect(stat(join(rulesDir, "emerging-web.rules"))).rejects.toThrow()
    await expect(stat(join(rulesDir, "classification.config"))).rejects.toThrow()
    if (Exit.isSuccess(exit)) {
      expect([...exit.value.manifest.categories].sort()).toEqual(["emerging-dos", "emerging-scan", "emerging-web"])
      expect(exit.value.missing).toEqual(["emerging-nope"])
      expect(exit.value.warnings.join(" ")).toContain("emerging-nope")
    }
    const view = await Effect.runPromise(store.inspect)
    expect(view).toMatchObject({ version: "100", complete: true, damage: undefined })
    expect(view.manifest?.enabled).toEqual(["emerging-scan", "emerging-dos", "emerging-nope"])
    for (const p of [join(layout.agentDir, "etpro-rules.yaml"), join(layout.rulesDir, "telemetry_sids.txt")]) {
      expect(await isSymlink(p)).toBe(true)
    }
    // Nothing in OPNsense's places.
    const suricata = join(root, "usr/local/etc/suricata")
    await expect(stat(join(suricata, "installed_rules.yaml"))).rejects.toThrow()
    await expect(stat(join(suricata, "opnsense.rules"))).rejects.toThrow()
  })

  it("replaces a set by the next one, keeping the generation before it and nothing else", async () => {
    const { layout, install } = await setup()
    expect(Exit.isSuccess(await install(A, "100"))).toBe(true)
    expect(Exit.isSuccess(await install(B, "101", "all", 2000))).toBe(true)
    expect(await visible(layout)).toEqual(await expected(B, "101"))
    expect((await readdir(join(layout.agentDir, "current", "rules"))).sort()).toEqual(["emerging-exploit.rules", "emerging-scan.rules"])
    const generations = async () => (await readdir(layout.agentDir)).filter((e) => e.startsWith("gen-"))
    expect(await generations()).toHaveLength(2)
    expect(Exit.isSuccess(await install(A, "102", "all", 3000))).toBe(true)
    expect(await generations()).toHaveLength(2)
  })

  it.each([
    ["rewritten", async (p: string) => writeFile(p, "alert ip any any -> any any (sid:1;)\n"), /current\/rules\/emerging-scan\.rules was rewritten/],
    ["emptied", async (p: string) => writeFile(p, ""), /emerging-scan\.rules was emptied/],
    ["deleted", async (p: string) => rm(p), /emerging-scan\.rules was deleted/]
  ] as const)("inspect notices a rule file that something else %s", async (_, change, said) => {
    const { layout, install, store } = await setup()
    expect(Exit.isSuccess(await install(A, "100"))).toBe(true)
    await change(join(layout.agentDir, "current", "rules", "emerging-scan.rules"))
    const view = await Effect.runPromise(store.inspect)
    expect(view.complete).toBe(false)
    expect(view.damage).toMatch(said)
  })

  it("inspect notices a replaced include file or SID list, and an install with no record", async () => {
    const { layout, install, store } = await setup()
    expect(Exit.isSuccess(await install(A, "100"))).toBe(true)
    const include = join(layout.agentDir, "etpro-rules.yaml")
    await rm(include)
    await writeFile(include, "%YAML 1.1\n---\nrule-files: []\n")
    expect((await Effect.runPromise(store.inspect)).damage).toBe(`${include} was rewritten`)
    expect(Exit.isSuccess(await install(A, "100", "all", 2000))).toBe(true)
    await rm(join(layout.rulesDir, "telemetry_sids.txt"))
    expect((await Effect.runPromise(store.inspect)).damage).toBe(`${join(layout.rulesDir, "telemetry_sids.txt")} was deleted`)
    await rm(join(layout.agentDir, "current", "manifest.json"))
    expect((await Effect.runPromise(store.inspect)).damage).toMatch(/manifest\.json is missing or unreadable/)
  })

  it("says an install of the earlier layout (rules/.etpro) is left alone", async () => {
    const { layout, install } = await setup()
    await mkdir(join(layout.rulesDir, ".etpro", "current"), { recursive: true })
    const exit = await install(A, "100")
    expect(Exit.isSuccess(exit) && exit.value.warnings.join(" ")).toMatch(/earlier layout is still in .*rules\/\.etpro/)
    expect((await stat(join(layout.rulesDir, ".etpro", "current"))).isDirectory()).toBe(true)
  })

  it("onOpnsense: true when OPNsense's tree is there", async () => {
    const { root, store } = await setup()
    expect(await Effect.runPromise(store.onOpnsense)).toBe(false)
    await mkdir(join(root, "usr/local/opnsense"), { recursive: true })
    expect(await Effect.runPromise(store.onOpnsense)).toBe(true)
  })
})

describe("RulesStore.layerTemp", () => {
  it("is the real store in a temporary root, removed with the scope", async () => {
    const { RulesStore, layerTemp } = await import("../../src/adapters/RulesStore.js")
    let dir = ""
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const store = yield* RulesStore
          dir = store.layout.rulesDir
          const p = join(dir, "..", "a.tgz")
          yield* Effect.promise(() => import("node:fs/promises").then((fs) => fs.mkdir(dir, { recursive: true }).then(() => fs.writeFile(p, A))))
          yield* store.install(p, { version: "9", selection: "all", at: 1 })
          expect(yield* store.inspect).toMatchObject({ version: "9", complete: true })
        }).pipe(Effect.provide(layerTemp()))
      )
    )
    await expect(stat(dir)).rejects.toThrow()
  })
})

describe("RulesStore refuses unsafe or broken archives and keeps the old set", () => {
  const full = A
  const cases: Array<[string, () => Buffer, RulesArchiveError["reason"], RegExp]> = [
    ["a traversal member", () => tgz([{ path: "rules/a.rules", body: "x" }, { path: "rules/../../../escaped.rules", body: "x" }]), "unsafe", /climbs out/],
    ["an absolute member", () => tgz([{ path: "/tmp/etpro-absolute.rules", body: "x" }]), "unsafe", /absolute/],
    ["a symlink member", () => tgz([{ path: "rules/evil.rules", type: "SymbolicLink", linkpath: "/etc/passwd" }]), "unsafe", /SymbolicLink/],
    ["a hard link member", () => tgz([{ path: "rules/a.rules", body: "x" }, { path: "rules/b.rules", type: "Link", linkpath: "rules/a.rules" }]), "unsafe", /Link/],
    ["a device member", () => tgz([{ path: "rules/null.rules", type: "CharacterDevice" }]), "unsafe", /CharacterDevice/],
    ["a member outside rules/", () => tgz([{ path: "etc/x.rules", body: "x" }]), "unsafe", /outside rules/],
    ["a member twice", () => tgz([{ path: "rules/a.rules", body: "x" }, { path: "rules/a.rules", body: "y" }]), "unsafe", /twice/],
    ["a truncated gzip", () => full.subarray(0, Math.floor(full.length * 0.6)), "corrupt", /truncated|unexpected end/],
    ["a gzip missing its trailer", () => full.subarray(0, full.length - 4), "corrupt", /corrupt/],
    ["an HTML error page", () => Buffer.from("<!DOCTYPE html><html><body>Proxy error</body></html>"), "not-gzip", /not a gzip archive.*DOCTYPE/],
    ["an empty body", () => Buffer.alloc(0), "not-gzip", /empty/],
    ["a gzip that is not a tar", () => tgzOf(Buffer.from("just text, no tar headers here".repeat(40))), "corrupt", /corrupt/],
    ["an archive without rule files", () => tgz([{ path: "rules/", type: "Directory" }, { path: "rules/telemetry_sids.txt", body: "1\n" }]), "empty", /no rules/]
  ]

  it.each(cases)("%s", async (_name, bytes, reason, message) => {
    const { layout, install, root } = await setup()
    expect(Exit.isSuccess(await install(A, "100"))).toBe(true)
    const before = await visible(layout)
    const listing = await readdir(layout.agentDir)
    const err = archiveFailure(await install(bytes(), "101", "all", 2000))
    expect(err.reason).toBe(reason)
    expect(err.message).toMatch(message)
    expect(err.message).toContain(root)
    expect(await visible(layout)).toEqual(before)
    // No staging directory or generation left behind, nothing written outside the store.
    expect((await readdir(layout.agentDir)).sort()).toEqual(listing.sort())
    await expect(stat(join(root, "usr/local/etc/escaped.rules"))).rejects.toThrow()
  })

  it("refuses an archive truncated inside the tar stream (gzip intact)", async () => {
    const { install, layout } = await setup()
    const tarPart = (await import("../support/rulesArchive.js")).tarBytes([{ path: "rules/a.rules", body: "x".repeat(5000) }])
    const err = archiveFailure(await install(tgzOf(tarPart.subarray(0, 1536)), "1"))
    expect(err.reason).toBe("corrupt")
    expect((await visible(layout)).installed).toBeUndefined()
  })

  it("enforces the size limits: one member, the total, the member count, the download", async () => {
    const small = { ...defaultLimits, maxEntryBytes: 1000, maxTotalBytes: 3000, maxEntries: 5, maxArchiveBytes: 10_000 }
    const { install } = await setup({ limits: small })
    const big = (n: number) => "#".repeat(n)
    const one = archiveFailure(await install(tgz([{ path: "rules/a.rules", body: big(1001) }]), "1"))
    expect(one).toMatchObject({ reason: "too-large" })
    expect(one.message).toMatch(/1001 bytes/)
    expect(
      archiveFailure(await install(tgz([1, 2, 3, 4].map((i) => ({ path: `rules/r${i}.rules`, body: big(900) }))), "1")).message
    ).toMatch(/uncompressed/)
    expect(
      archiveFailure(await install(tgz([1, 2, 3, 4, 5, 6].map((i) => ({ path: `rules/r${i}.rules`, body: "x" }))), "1")).message
    ).toMatch(/more than 5 members/)
    const incompressible = (await import("node:crypto")).randomBytes(12_000).toString("base64")
    expect(
      archiveFailure(await install(tgz([{ path: "rules/a.rules", body: incompressible }]), "1")).reason
    ).toBe("too-large")
  })
})

const tgzOf = (raw: Buffer) => gzipSync(raw)

describe("RulesStore atomicity under injected faults", () => {
  const steps: Array<InstallStep> = ["extracted", "staged", "linked", "switched", "pruned"]
  it.each(steps)("a failure after %s leaves the old set or the complete new one", async (failAt) => {
    let armed = false
    const { layout, install, store } = await setup({
      onStep: (s) => {
        if (armed && s === failAt) throw new Error(`injected fault after ${s}`)
      }
    })
    expect(Exit.isSuccess(await install(A, "100", ["emerging-scan", "emerging-dos"]))).toBe(true)
    const old = await visible(layout)
    armed = true
    const exit = await install(B, "101", "all", 2000)
    expect(Exit.isFailure(exit)).toBe(true)
    const now = await visible(layout)
    const committed = steps.indexOf(failAt) >= steps.indexOf("switched")
    expect(now).toEqual(committed ? await expected(B, "101") : old)
    // The next install recovers whatever was left.
    armed = false
    expect(Exit.isSuccess(await install(B, "102", "all", 3000))).toBe(true)
    expect(await visible(layout)).toEqual(await expected(B, "102"))
    expect((await readdir(layout.agentDir)).filter((e) => e.startsWith(".") && e !== ".lock")).toEqual([])
    expect(await Effect.runPromise(store.inspect)).toMatchObject({ version: "102", complete: true })
  })
})


