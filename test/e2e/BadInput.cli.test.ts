/**
 * Every command with each bad input of issue 13, through the built CLI: the exact first words of the one
 * error line, the exit code, and that nothing was created (the temp root listed before and after) or sent
 * (a stand-in service counting requests).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises"
import { createServer, type Server } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ensureBuilt, runBuilt } from "../support/BuiltCli.js"
import { type Sink, startSink } from "../support/TelemetrySink.js"

let sink: Sink
let busy: Server
let busyAt = ""
beforeAll(async () => {
  await ensureBuilt()
  sink = await startSink()
  busy = createServer()
  await new Promise<void>((ok) => busy.listen(0, "127.0.0.1", ok))
  busyAt = `127.0.0.1:${(busy.address() as { port: number }).port}`
}, 120_000)
afterAll(async () => {
  await sink.close()
  busy.close()
})

const listing = async (dir: string): Promise<Array<string>> =>
  (await readdir(dir, { recursive: true })).map(String).sort()

interface Case {
  readonly args: (root: string) => ReadonlyArray<string>
  /** The start of the error line (the last line on stderr; warnings may come first). */
  readonly says: string | ((root: string) => string)
  readonly code: number
}

const CASES: Record<string, Case> = {
  "unknown command": { args: () => ["bogus"], says: 'emergingthreats: etpro-telemetry: unknown command "bogus"', code: 2 },
  "unknown flag": { args: (r) => ["dump", "--root", r, "--bogus"], says: "emergingthreats: dump: unknown flag --bogus", code: 2 },
  "a flag without its value": { args: (r) => ["dump", "--root", r, "--since"], says: "emergingthreats: dump: --since needs a value", code: 2 },
  "a nested command's flag without its value": {
    args: (r) => ["rules", "update", "--root", r, "--categories"],
    says: "emergingthreats: rules update: --categories needs a value",
    code: 2
  },
  "--limit abc": { args: (r) => ["dump", "--root", r, "--limit", "abc"], says: 'emergingthreats: dump: --limit "abc" is not a whole number', code: 2 },
  "replay without --log": { args: () => ["replay"], says: "emergingthreats: replay: --log is required", code: 2 },
  "token set without a token": { args: (r) => ["token", "set", "--root", r], says: "emergingthreats: token set: TOKEN is required", code: 2 },
  "dump --limit -1": { args: (r) => ["dump", "--root", r, "--limit", "-1"], says: "emergingthreats: dump: --limit -1 must be 0 or more", code: 2 },
  "run --stop-grace -1": { args: (r) => ["run", "--root", r, "--stop-grace", "-1"], says: "emergingthreats: run: --stop-grace -1 must be 0 or more", code: 2 },
  "run --tick soon": { args: (r) => ["run", "--root", r, "--tick", "soon"], says: 'emergingthreats: run: --tick "soon" is not a duration of at most 1m', code: 2 },
  "replay --base-url xx": {
    args: (r) => ["replay", "--log", r, "--base-url", "xx", "--token", "t"],
    says: 'emergingthreats: replay: --base-url "xx" is not an http(s) URL',
    code: 2
  },
  "service --token ''": { args: () => ["service", "--listen", "127.0.0.1:0", "--token", ""], says: "emergingthreats: service: --token is empty", code: 2 },
  "demo --root on a file": { args: () => ["demo", "--root", "/etc/passwd"], says: "emergingthreats: demo: --root /etc/passwd is not a directory", code: 2 },
  "--log folder without eve.json": {
    args: (r) => ["dump", "--root", r, "--log", join(r, "empty-log")],
    says: (r) => `emergingthreats: dump: no eve.json (nor rotated eve files) in ${join(r, "empty-log")}`,
    code: 2
  },
  "service on a port in use": {
    args: () => ["service", "--listen", busyAt],
    says: () => `emergingthreats: service: cannot listen on ${busyAt}: address already in use`,
    code: 1
  },
  "demo on a port in use": {
    args: (r) => ["demo", "--root", r, "--listen", busyAt],
    says: () => `emergingthreats: demo: cannot listen on ${busyAt}: address already in use`,
    code: 1
  },
  "run --status-listen on a port in use": {
    args: (r) => ["run", "--root", r, "--base-url", sink.url, "--status-listen", busyAt],
    says: () => `emergingthreats: run: cannot listen on ${busyAt}: address already in use`,
    code: 1
  }
}

describe("bad input: one line, the documented exit code, nothing created or sent", () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(name, async () => {
      const root = await mkdtemp(join(tmpdir(), "etpro-bad-"))
      try {
        await mkdir(join(root, "empty-log"))
        const before = await listing(root)
        const sent = sink.received.length
        const r = await runBuilt(c.args(root), 20_000)
        const lines = r.stderr.trimEnd().split("\n")
        const says = typeof c.says === "string" ? c.says : c.says(root)
        expect(lines.at(-1)).toMatch(new RegExp(`^${says.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`))
        // One voice: every line is the project's, no help dump, no stack, no "started" before the failure.
        const command = says.split(": ")[1]!
        for (const l of lines) expect(l.startsWith(`emergingthreats: ${command}: `)).toBe(true)
        expect(r.stderr).not.toMatch(/started|\x1b\[/)
        expect(r.stdout).toBe("")
        expect(r.code).toBe(c.code)
        expect(await listing(root)).toEqual(before)
        expect(sink.received.length).toBe(sent)
      } finally {
        await rm(root, { recursive: true, force: true })
      }
    }, 30_000)
  }
})

describe("help", () => {
  it("no colour when piped, full usage lines, no boilerplate, no built-ins listed", async () => {
    const r = await runBuilt(["token", "set", "--help"])
    expect(r.code).toBe(0)
    expect(r.stdout).not.toMatch(/\x1b\[/)
    expect(r.stdout).toContain("$ etpro-telemetry token set ")
    expect(r.stdout).not.toContain("A user-defined piece of text")
    expect(r.stdout).not.toContain("This setting is optional.")
    expect(r.stdout).not.toContain("--wizard")
  })
})
