/** `rules update` / `rules list` as an operator runs them: the real CLI process against a loopback server. */
import { execFile } from "node:child_process"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { layoutFromPaths } from "../../../src/adapters/RulesStore.js"
import { resolvePaths } from "../../../src/domain/Paths.js"
import { ruleset, visible } from "../../support/rulesArchive.js"

const BIN = join(import.meta.dirname, "../../../src/main/bin.ts")
const TOKEN = "rules-e2e-token-1234"
let server: Server
let url: string
let mode: "ok" | "corrupt" = "ok"
let root: string

beforeAll(async () => {
  const archive = ruleset({ "emerging-scan": [2001], "emerging-dos": [2002] }, [2001])
  server = createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return void res.writeHead(401).end()
    if (req.url === "/api/v1/ruleset/version") return void res.writeHead(200).end(JSON.stringify({ version: mode === "ok" ? "7" : "8" }))
    if (req.url === "/api/v1/ruleset/engine/suricata/5") {
      // An archive that is not one (a captive portal's page is a service fault, retried: RulesUpdate.test.ts).
      if (mode === "corrupt") return void res.writeHead(200, { "content-type": "application/gzip" }).end("<html>not an archive</html>")
      return void res.writeHead(200, { "content-type": "application/gzip" }).end(archive)
    }
    res.writeHead(404).end()
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  root = await mkdtemp(join(tmpdir(), "etpro-rules-e2e-"))
  await mkdir(join(root, "usr/local/etc/suricata"), { recursive: true })
  await writeFile(resolvePaths({ root }).ruleUpdaterConfig, `[__properties__]\net_telemetry.token=${TOKEN}\n`, { mode: 0o600 })
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
  await rm(root, { recursive: true, force: true })
})

const cli = (args: ReadonlyArray<string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ["--import", "tsx", BIN, ...args], { encoding: "utf8" }, (err, stdout, stderr) =>
      resolve({ code: err === null ? 0 : Number((err as { code?: unknown }).code ?? 1), stdout, stderr })
    )
  })

describe("rules commands", () => {
  it("update installs, list shows the categories, an archive that is not one exits 1 and changes nothing", async () => {
    const paths = resolvePaths({ root })
    const layout = layoutFromPaths(paths)
    const up = await cli(["rules", "update", "--root", root, "--base-url", url, "--categories", "emerging-scan"])
    expect(up.code).toBe(0)
    expect(up.stderr).toMatch(/^emergingthreats: rules update: installed ruleset version 7: 1 rule files from 2 categories/m)

    const list = await cli(["rules", "list", "--root", root])
    expect(list.code).toBe(0)
    expect(list.stdout).toBe("disabled  emerging-dos\nenabled   emerging-scan\n")
    expect(list.stderr).toMatch(/version 7: 1 of 2 categories enabled \(--categories emerging-scan\)/)

    const before = await visible(layout)
    mode = "corrupt"
    const bad = await cli(["rules", "update", "--root", root, "--base-url", url])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/^emergingthreats: rules update: .*not a gzip archive.*the installed rules are unchanged$/m)
    expect(bad.stderr.trim().split("\n")).toHaveLength(1)
    expect(bad.stderr + bad.stdout).not.toContain(TOKEN)
    expect(await visible(layout)).toEqual(before)
  }, 120_000) // three CLI processes: each starts tsx, ~10 s on a loaded 2-core machine

  it("update on an OPNsense tree says in one line that OPNsense installs the rules, exits 0, creates nothing", async () => {
    const opn = await mkdtemp(join(tmpdir(), "etpro-rules-opn-"))
    try {
      await mkdir(join(opn, "usr/local/opnsense"), { recursive: true })
      const up = await cli(["rules", "update", "--root", opn, "--base-url", url])
      expect(up.code).toBe(0)
      expect(up.stderr).toMatch(/^emergingthreats: rules update: this is an OPNsense firewall \(.*usr\/local\/opnsense\): .*nothing done\n$/)
      expect(await readdir(opn, { recursive: true })).toEqual(["usr", "usr/local", "usr/local/opnsense"])
      // `rules list` there points to OPNsense's own download, never to `rules update` (issue 21).
      const list = await cli(["rules", "list", "--root", opn])
      expect(list.code).toBe(0)
      expect(list.stderr).toMatch(/^emergingthreats: rules list: on OPNsense the ET Pro Telemetry ruleset is downloaded .* by OPNsense itself/)
      expect(list.stderr).not.toContain("rules update")
    } finally {
      await rm(opn, { recursive: true, force: true })
    }
  }, 60_000)
})
