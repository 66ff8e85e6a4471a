/**
 * `rules update` against a real HTTP server on 127.0.0.1 (node:http, started here) serving archives built
 * with node-tar's headers; the real TelemetryApi, RulesStore, StateStore and rule-updater.config layers.
 */
import { Effect, Layer } from "effect"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { spawn } from "node:child_process"
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as RulesStore from "../../../src/adapters/RulesStore.js"
import * as Credentials from "../../../src/adapters/Credentials.js"
import * as Processes from "../../../src/adapters/Processes.js"
import * as TelemetryApi from "../../../src/adapters/TelemetryApi.js"
import * as StateStore from "../../../src/adapters/StateStore.js"
import * as SystemProbe from "../../../src/adapters/SystemProbe.js"
import { type Paths, resolvePaths } from "../../../src/domain/Paths.js"
import { rulesList, rulesUpdate, type RulesUpdateRun } from "../../../src/main/programs/RulesUpdate.js"
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
  const layout = RulesStore.layoutFromPaths(paths)
  const layer = Layer.mergeAll(
    RulesStore.layer(layout),
    StateStore.layer(paths.state),
    Credentials.layer(paths),
    Processes.layer
  )
  const update = (o: Partial<RulesUpdateRun> = {}) =>
    Effect.runPromise(
      rulesUpdate({
        baseUrl,
        insecure: false,
        timeoutMs: 2000,
        configPath: paths.ruleUpdaterConfig,
        force: false,
        pidfile: paths.suricataPidfile,
        retry: { baseMs: 5, capMs: 20, budgetMs: 150 },
        ...o
      }).pipe(Effect.provide(TelemetryApi.layerFromCredentials({ baseUrl, insecure: false, timeoutMs: 2000 })), Effect.provide(layer))
    )
  const state = () => Effect.runPromise(Effect.flatMap(StateStore.StateStore, (s) => s.load).pipe(Effect.provide(StateStore.layer(paths.state))))
  const list = () => Effect.runPromise(rulesList.pipe(Effect.provide(layer)))
  return { root, paths, update, state, list, layout }
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
    expect(out).toMatchObject({ kind: "installed", fault: "none", version: "1" })
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
    expect(await s.update()).toMatchObject({ kind: "unchanged", fault: "none" })
    expect(served).toMatchObject({ versionHits: 1, downloadHits: 0 })
    expect(await s.update({ force: true })).toMatchObject({ kind: "installed" })
    expect(served.downloadHits).toBe(1)
  })

  it.each([
    ["deleted", (p: string) => rm(p)],
    ["emptied", (p: string) => writeFile(p, "")],
    ["rewritten", (p: string) => writeFile(p, "# rules managed by someone else\n")]
  ] as const)("reinstalls, and says why, when an installed file was %s although the version is the same", async (how, change) => {
    const s = await sensor()
    reset("1", V1)
    await s.update()
    await change(join(s.layout.agentDir, "current", "rules", "emerging-dos.rules"))
    reset("1", V1)
    const out = await s.update()
    expect(out).toMatchObject({ kind: "installed", fault: "none" })
    expect(out.message).toMatch(new RegExp(`installed ruleset version 1 again \\(.*current/rules/emerging-dos\\.rules was ${how}\\)`))
    expect(served.downloadHits).toBe(1)
    expect((await visible(s.layout)).files["emerging-dos.rules"]).toContain("sid:2002;")
    reset("1", V1)
    expect(await s.update()).toMatchObject({ kind: "unchanged" })
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
    ["an HTML page instead of the archive", "html" as const, /HTML page.*<html>/]
  ])("%s: exits 1 and keeps the old rules exactly", async (_n, mode, why) => {
    const s = await sensor()
    reset("1", V1)
    await s.update()
    const before = await visible(s.layout)
    reset("2", V2, mode)
    const out = await s.update()
    expect(out).toMatchObject({ kind: "failed", fault: "failed" })
    expect(out.message).toMatch(why)
    expect(out.message).toContain("unchanged")
    expect(await visible(s.layout)).toEqual(before)
    const st = (await s.state()).state.lastRules
    expect(st).toMatchObject({ ok: false, version: "1" })
    if (mode === "5xx") expect(served.downloadHits).toBeGreaterThan(1) // retried within the budget
    // An HTML page is not the API's answer (src/domain/Answer.ts), for every call: retried within the budget.
    if (mode === "html") expect(served.downloadHits).toBeGreaterThan(1)
  })

  it("a refused token exits 3 and never shows the token", async () => {
    const s = await sensor()
    reset("1", V1, "401")
    const out = await s.update()
    expect(out).toMatchObject({ kind: "failed", fault: "refused" })
    expect(out.message).toMatch(/refused/)
    expect(JSON.stringify(out)).not.toContain(TOKEN)
    expect(served.versionHits).toBe(1)
  })

  it("without a token exits 2 and asks nothing", async () => {
    const s = await sensor()
    await writeFile(s.paths.ruleUpdaterConfig, "[__properties__]\n")
    reset("1", V1)
    expect(await s.update()).toMatchObject({ kind: "failed", fault: "usage" })
    expect(served.versionHits).toBe(0)
  })

  it("runs --reload-command after an install (no shell), and reports one that fails", async () => {
    const s = await sensor()
    const marker = join(s.root, "reloaded")
    reset("1", V1)
    const cmd = `${process.execPath} -e "require('fs').writeFileSync(process.argv[1], 'yes; not a $(shell)')" ${marker}`
    expect(await s.update({ reloadCommand: cmd })).toMatchObject({ kind: "installed", fault: "none" })
    expect(await readFile(marker, "utf8")).toBe("yes; not a $(shell)")
    reset("2", V2)
    const bad = await s.update({ reloadCommand: `${process.execPath} -e "process.stderr.write('suricata not running'); process.exit(4)"` })
    expect(bad).toMatchObject({ kind: "installed", fault: "failed" })
    expect(bad.message).toMatch(/exited 4: suricata not running/)
    expect((await visible(s.layout)).version).toContain('"2"')
  })

  it("signals Suricata with USR2 (pid from its pidfile) after an install; no pidfile: not running, still exit 0", async () => {
    const s = await sensor()
    reset("1", V1)
    const out = await s.update()
    expect(out).toMatchObject({ kind: "installed", fault: "none" })
    expect(out.message).toContain(`Suricata is not running (no ${s.paths.suricataPidfile})`)
    // A stand-in Suricata that records USR2 and exits.
    const marker = join(s.root, "got-usr2")
    const child = spawn(process.execPath, ["-e", `process.on("SIGUSR2", () => { require("fs").writeFileSync(${JSON.stringify(marker)}, "USR2"); process.exit(0) }); process.stdout.write("ready\\n"); setInterval(() => {}, 1000)`], { stdio: ["ignore", "pipe", "inherit"] })
    const exited = new Promise((r) => child.on("exit", r))
    await new Promise((r) => child.stdout.once("data", r))
    await mkdir(dirname(s.paths.suricataPidfile), { recursive: true })
    await writeFile(s.paths.suricataPidfile, `${child.pid}\n`)
    reset("2", V2)
    const signalled = await s.update()
    expect(signalled).toMatchObject({ kind: "installed", fault: "none" })
    expect(signalled.message).toContain(`reloaded (USR2 to Suricata, pid ${child.pid}`)
    await exited
    expect(await readFile(marker, "utf8")).toBe("USR2")
    // A stale pidfile (that process is gone) is "not running", not a failure.
    reset("3", V1)
    expect((await s.update()).message).toMatch(/which is gone/)
    await writeFile(s.paths.suricataPidfile, "garbage\n")
    reset("4", V2)
    expect(await s.update()).toMatchObject({ kind: "installed", fault: "failed" })
  })

  it.each([
    ["its tree (/usr/local/opnsense)", async (root: string) => void (await mkdir(join(root, "usr/local/opnsense"), { recursive: true })), {}],
    ["--opnsense", async () => undefined, { opnsense: true }]
  ] as const)("on OPNsense, detected by %s, defers to OPNsense's download, says so, touches nothing", async (_, mark, flags) => {
    const s = await sensor()
    await mark(s.root)
    const before = await tree(s.root)
    reset("1", V1)
    const out = await s.update(flags)
    expect(out).toMatchObject({ kind: "deferred", fault: "none" })
    expect(out.message).toMatch(/^this is an OPNsense firewall \(.*\): OPNsense downloads and installs the ET telemetry ruleset itself .*nothing done$/)
    expect(served.versionHits + served.downloadHits).toBe(0)
    expect(await tree(s.root)).toEqual(before)
  })

  it("an archive that says it is another version than announced is not installed; the next update fetches again", async () => {
    const s = await sensor()
    const versioned = (v: string) => ruleset({ "emerging-scan": [4001] }, [4001], [{ path: "rules/telemetry_version.json", body: `{"version": "${v}"}\n` }])
    reset("2", versioned("1"))
    const out = await s.update()
    expect(out).toMatchObject({ kind: "failed", fault: "failed" })
    expect(out.message).toMatch(/not installed: .*the archive is version "1", not the "2" the service announced; the installed rules are unchanged$/)
    expect((await visible(s.layout)).installed).toBeUndefined()
    expect((await s.state()).state.lastRules).toMatchObject({ ok: false })
    reset("2", versioned("2"))
    const next = await s.update()
    expect(next).toMatchObject({ kind: "installed", fault: "none", version: "2" })
    expect(served.downloadHits).toBe(1)
    expect((await visible(s.layout)).version).toBe('{"version":"2"}\n')
  })

  it("a second update while one holds the lock says so and exits 0", async () => {
    const s = await sensor()
    reset("1", V1)
    const store = RulesStore.make(s.layout)
    const out = await Effect.runPromise(Effect.scoped(Effect.zipRight(store.lock, Effect.promise(() => s.update()))))
    expect(out).toMatchObject({ kind: "busy", fault: "none" })
    expect(served.versionHits).toBe(0)
  })
})

/** Every path under root (what exists, not what it holds). */
const tree = async (root: string): Promise<Array<string>> =>
  (await readdir(root, { recursive: true })).map(String).sort()

/**
 * Issue 12, finding 2: OPNsense's own rule installer (`configctl ids reload`, every IDS "Apply") rebuilds
 * installed_rules.yaml from rules/*.rules and deletes every other file under opnsense.rules/. Simulated here
 * on the agent's tree, it must leave the agent's install intact, the heartbeat counting its rules.
 */
const opnsenseInstaller = async (paths: Paths) => {
  const names = (await readdir(paths.rulesDir)).filter((n) => n.endsWith(".rules")).sort()
  await mkdir(paths.opnsenseRulesDir, { recursive: true })
  for (const n of await readdir(paths.opnsenseRulesDir)) if (!names.includes(n)) await rm(join(paths.opnsenseRulesDir, n), { recursive: true })
  await writeFile(paths.installedRules, `%YAML 1.1\n---\nrule-files:\n${names.map((n) => `  - ${n}\n`).join("")}`)
}

const enabledCount = async (paths: Paths) => {
  const facts = await Effect.runPromise(SystemProbe.make(paths, { commandTimeoutMs: 2000 }).facts)
  return facts.installedSids._tag === "Found" ? facts.installedSids.value.size : facts.installedSids
}

describe("OPNsense's installer run over the agent's tree", () => {
  it("leaves the agent's install intact: the heartbeat still counts its rules, and the next update has nothing to repair", async () => {
    const s = await sensor()
    reset("1", V1)
    expect(await s.update()).toMatchObject({ kind: "installed" })
    expect(await enabledCount(s.paths)).toBe(3)
    const before = await visible(s.layout)
    // What an admin may have in OPNsense's places, and OPNsense's installer run over them.
    await mkdir(s.paths.opnsenseRulesDir, { recursive: true })
    await writeFile(join(s.paths.opnsenseRulesDir, "stale.rules"), "alert ip any any -> any any (sid:77;)\n")
    await opnsenseInstaller(s.paths)
    expect(await readFile(s.paths.installedRules, "utf8")).toMatch(/rule-files:\n$/) // an empty list
    expect(await readdir(s.paths.opnsenseRulesDir)).toEqual([])
    expect(await visible(s.layout)).toEqual(before)
    expect(await enabledCount(s.paths)).toBe(3)
    reset("1", V1)
    expect(await s.update()).toMatchObject({ kind: "unchanged", fault: "none" })
    expect(served.downloadHits).toBe(0)
  })

  it("and when something also rewrote the agent's own files, the next update repairs them and the count is right again", async () => {
    const s = await sensor()
    reset("1", V1)
    await s.update()
    await opnsenseInstaller(s.paths)
    await writeFile(join(s.layout.agentDir, "current", "rules", "emerging-web.rules"), "")
    expect(await enabledCount(s.paths)).toBe(2)
    reset("1", V1)
    const out = await s.update()
    expect(out.message).toMatch(/again \(.*emerging-web\.rules was emptied\)/)
    expect(await enabledCount(s.paths)).toBe(3)
  })
})

