/**
 * `rules update` against a real HTTP server on 127.0.0.1 (node:http, started here) serving archives built
 * with node-tar's headers; the real TelemetryApi, RulesStore, StateStore and rule-updater.config layers.
 */
import { Effect, Layer } from "effect"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as RulesStore from "../../../src/adapters/RulesStore.js"
import * as Credentials from "../../../src/adapters/Credentials.js"
import * as TelemetryApi from "../../../src/adapters/TelemetryApi.js"
import * as StateStore from "../../../src/adapters/StateStore.js"
import { ExitCode } from "../../../src/main/Failure.js"
import { resolvePaths } from "../../../src/domain/Paths.js"
import { rulesList, rulesUpdate, type RulesUpdateOptions } from "../../../src/main/programs/RulesUpdate.js"
import { ruleset, visible } from "../../support/rulesArchive.js"

const TOKEN = "tok-3f9a8b7c6d5e4f"

interface Served {
  version: string
  archive: Buffer
  mode: "ok" | "5xx" | "html" | "401" | "version-5xx"
  versionHits: number
  downloadHits: number
  auth: Array<string | undefined>
}

const served: Served = { version: "1", archive: Buffer.alloc(0), mode: "ok", versionHits: 0, downloadHits: 0, auth: [] }
let server: Server
let baseUrl: string

const handle = (req: IncomingMessage, res: ServerResponse) => {
  served.auth.push(req.headers.authorization)
  if (req.url === "/api/v1/ruleset/version") {
    served.versionHits++
    if (served.mode === "version-5xx") return void res.writeHead(503).end("down for maintenance")
    if (served.mode === "401") return void res.writeHead(401).end("unknown token")
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ version: served.version }))
    return
  }
  if (req.url === "/api/v1/ruleset/engine/suricata/5") {
    served.downloadHits++
    if (served.mode === "5xx") return void res.writeHead(502).end("bad gateway")
    if (served.mode === "html") {
      return void res.writeHead(200, { "content-type": "text/html" }).end("<html><body>Please log in to the hotel Wi-Fi</body></html>")
    }
    res.writeHead(200, { "content-type": "application/gzip", "content-length": served.archive.length }).end(served.archive)
    return
  }
  res.writeHead(404).end()
}

beforeAll(async () => {
  server = createServer(handle)
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
})

const roots: Array<string> = []
afterAll(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true })
})

const sensor = async () => {
  const root = await mkdtemp(join(tmpdir(), "etpro-rules-update-"))
  roots.push(root)
  const paths = resolvePaths({ root })
  await mkdir(join(root, "usr/local/etc/suricata"), { recursive: true })
  await writeFile(paths.ruleUpdaterConfig, `[__properties__]\net_telemetry.token=${TOKEN}\n`)
  const layer = Layer.mergeAll(
    RulesStore.layer({ rulesDir: paths.rulesDir, installedRules: paths.installedRules, opnsenseRulesDir: paths.opnsenseRulesDir }),
    StateStore.layer(paths.state),
    Credentials.layer(paths)
  )
  const update = (o: Partial<RulesUpdateOptions> = {}) =>
    Effect.runPromise(
      rulesUpdate({
        baseUrl,
        insecure: false,
        timeoutMs: 2000,
        configPath: paths.ruleUpdaterConfig,
        force: false,
        retry: { baseMs: 5, capMs: 20, budgetMs: 150 },
        ...o
      }).pipe(Effect.provide(TelemetryApi.layerFromCredentials({ baseUrl, insecure: false, timeoutMs: 2000 })), Effect.provide(layer))
    )
  const state = () => Effect.runPromise(Effect.flatMap(StateStore.StateStore, (s) => s.load).pipe(Effect.provide(StateStore.layer(paths.state))))
  const list = () => Effect.runPromise(rulesList.pipe(Effect.provide(layer)))
  return { root, paths, update, state, list, layout: { rulesDir: paths.rulesDir, installedRules: paths.installedRules, opnsenseRulesDir: paths.opnsenseRulesDir } }
}

const V1 = ruleset({ "emerging-scan": [2001], "emerging-dos": [2002], "emerging-web": [2003] }, [2001, 2002])
const V2 = ruleset({ "emerging-scan": [3001], "emerging-dos": [3002], "emerging-web": [3003] }, [3001])

const reset = (version: string, archive: Buffer, mode: Served["mode"] = "ok") => {
  Object.assign(served, { version, archive, mode, versionHits: 0, downloadHits: 0, auth: [] })
}

describe("rules update", () => {
  it("downloads with the token, installs, and records the result", async () => {
    const s = await sensor()
    reset("1", V1)
    const out = await s.update()
    expect(out).toMatchObject({ kind: "installed", exitCode: ExitCode.ok, version: "1" })
    expect(served.auth.every((a) => a === `Bearer ${TOKEN}`)).toBe(true)
    const v = await visible(s.layout)
    expect(Object.keys(v.files).sort()).toEqual(["emerging-dos.rules", "emerging-scan.rules", "emerging-web.rules"])
    expect(v.sids).toBe("2001\n2002\n")
    const st = (await s.state()).state.lastRules
    expect(st).toMatchObject({ ok: true, version: "1", enabled: "all" })
    expect([...(st?.categories ?? [])].sort()).toEqual(["emerging-dos", "emerging-scan", "emerging-web"])
  })

  it("asks for the version only when it is unchanged and the files are there; --force downloads anyway", async () => {
    const s = await sensor()
    reset("1", V1)
    await s.update()
    reset("1", V1)
    expect(await s.update()).toMatchObject({ kind: "unchanged", exitCode: ExitCode.ok })
    expect(served).toMatchObject({ versionHits: 1, downloadHits: 0 })
    expect(await s.update({ force: true })).toMatchObject({ kind: "installed" })
    expect(served.downloadHits).toBe(1)
  })

  it("downloads again when an installed file went missing, although the version is the same", async () => {
    const s = await sensor()
    reset("1", V1)
    await s.update()
    await rm(join(s.paths.opnsenseRulesDir, "emerging-dos.rules"))
    reset("1", V1)
    expect(await s.update()).toMatchObject({ kind: "installed" })
    expect(served.downloadHits).toBe(1)
    expect((await visible(s.layout)).files["emerging-dos.rules"]).toContain("sid:2002;")
  })

  it("remembers --categories for later runs, and a new selection triggers a download", async () => {
    const s = await sensor()
    reset("1", V1)
    await s.update({ categories: ["emerging-scan"] })
    expect(Object.keys((await visible(s.layout)).files)).toEqual(["emerging-scan.rules"])
    reset("2", V2)
    expect(await s.update()).toMatchObject({ kind: "installed", version: "2" })
    expect(Object.keys((await visible(s.layout)).files)).toEqual(["emerging-scan.rules"])
    reset("2", V2)
    expect(await s.update({ categories: ["emerging-scan", "emerging-web"] })).toMatchObject({ kind: "installed" })
    expect(Object.keys((await visible(s.layout)).files).sort()).toEqual(["emerging-scan.rules", "emerging-web.rules"])
    const list = await s.list()
    expect(list.lines).toEqual([
      { category: "emerging-dos", enabled: false },
      { category: "emerging-scan", enabled: true },
      { category: "emerging-web", enabled: true }
    ])
    expect(list.version).toBe("2")
  })

  it.each([
    ["5xx on the download", "5xx" as const, /HTTP 502/],
    ["5xx on the version", "version-5xx" as const, /HTTP 503/],
    ["an HTML page instead of the archive", "html" as const, /not a gzip archive.*<html>/]
  ])("%s: exits 1 and keeps the old rules exactly", async (_n, mode, why) => {
    const s = await sensor()
    reset("1", V1)
    await s.update()
    const before = await visible(s.layout)
    reset("2", V2, mode)
    const out = await s.update()
    expect(out).toMatchObject({ kind: "failed", exitCode: ExitCode.failure })
    expect(out.message).toMatch(why)
    expect(out.message).toContain("unchanged")
    expect(await visible(s.layout)).toEqual(before)
    const st = (await s.state()).state.lastRules
    expect(st).toMatchObject({ ok: false, version: "1" })
    if (mode === "5xx") expect(served.downloadHits).toBeGreaterThan(1) // retried within the budget
    if (mode === "html") expect(served.downloadHits).toBe(1) // a 200 is not retried
  })

  it("a refused token exits 3 and never shows the token", async () => {
    const s = await sensor()
    reset("1", V1, "401")
    const out = await s.update()
    expect(out).toMatchObject({ kind: "failed", exitCode: ExitCode.tokenRefused })
    expect(out.message).toMatch(/refused/)
    expect(JSON.stringify(out)).not.toContain(TOKEN)
    expect(served.versionHits).toBe(1)
  })

  it("without a token exits 2 and asks nothing", async () => {
    const s = await sensor()
    await writeFile(s.paths.ruleUpdaterConfig, "[__properties__]\n")
    reset("1", V1)
    expect(await s.update()).toMatchObject({ kind: "failed", exitCode: ExitCode.usage })
    expect(served.versionHits).toBe(0)
  })

  it("runs --reload-command after an install (no shell), and reports one that fails", async () => {
    const s = await sensor()
    const marker = join(s.root, "reloaded")
    reset("1", V1)
    const cmd = `${process.execPath} -e "require('fs').writeFileSync(process.argv[1], 'yes; not a $(shell)')" ${marker}`
    expect(await s.update({ reloadCommand: cmd })).toMatchObject({ kind: "installed", exitCode: ExitCode.ok })
    expect(await readFile(marker, "utf8")).toBe("yes; not a $(shell)")
    reset("2", V2)
    const bad = await s.update({ reloadCommand: `${process.execPath} -e "process.stderr.write('suricata not running'); process.exit(4)"` })
    expect(bad).toMatchObject({ kind: "installed", exitCode: ExitCode.failure })
    expect(bad.message).toMatch(/exited 4: suricata not running/)
    expect((await visible(s.layout)).version).toContain('"2"')
  })

  it("a second update while one holds the lock says so and exits 0", async () => {
    const s = await sensor()
    reset("1", V1)
    const store = RulesStore.make(s.layout)
    const out = await Effect.runPromise(Effect.scoped(Effect.zipRight(store.lock, Effect.promise(() => s.update()))))
    expect(out).toMatchObject({ kind: "busy", exitCode: ExitCode.ok })
    expect(served.versionHits).toBe(0)
  })
})
