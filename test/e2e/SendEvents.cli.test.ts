/** `send-events` and `token set` as an operator runs them (from the sources): messages and exit codes (SPEC 11). */
import { spawn } from "node:child_process"
import { mkdir, mkdtemp, readFile, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { resolvePaths } from "../../src/domain/Paths.js"
import { alertLine, range } from "../support/SendHarness.js"
import { type Sink, startSink } from "../support/TelemetrySink.js"

const exists = (p: string) => stat(p).then(() => true, () => false)
const REPO = resolve(import.meta.dirname, "../..")
const TOKEN = "cli-test-token-42"

const cli = (args: Array<string>, stdin?: string) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((done, fail) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(REPO, "src/main/bin.ts"), ...args], { cwd: REPO })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (c: Buffer) => void (stdout += c))
    child.stderr.on("data", (c: Buffer) => void (stderr += c))
    child.on("error", fail)
    child.on("close", (code) => done({ code: code ?? -1, stdout, stderr }))
    child.stdin.end(stdin ?? "")
  })

let sink: Sink
beforeAll(async () => {
  sink = await startSink()
})
afterAll(() => sink.close())

const sensor = async () => {
  const root = await mkdtemp(join(tmpdir(), "cli-send-"))
  const paths = resolvePaths({ root })
  await mkdir(paths.logDir, { recursive: true })
  return { root, paths, eve: join(paths.logDir, "eve.json") }
}
const send = (root: string, ...extra: Array<string>) => cli(["send-events", "--root", root, "--direct", "--base-url", sink.url, ...extra])

describe("token set", () => {
  it("writes the agent's own token file 0600, reads the token from stdin with - wherever it stands, never prints it", async () => {
    const { root, paths } = await sensor()
    const r = await cli(["token", "set", "-", "--root", root], ` ${TOKEN}\n`)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toContain("trimmed")
    expect(r.stderr).toContain(paths.tokenFile)
    expect(r.stderr + r.stdout).not.toContain(TOKEN)
    expect((await stat(paths.tokenFile)).mode & 0o777).toBe(0o600)
    expect(await readFile(paths.tokenFile, "utf8")).toBe(`${TOKEN}\n`)
    // One trailing newline from stdin is not whitespace the operator typed: no warning.
    const plain = await cli(["token", "set", "--root", root, "-"], `${TOKEN}\n`)
    expect(plain.code, plain.stderr).toBe(0)
    expect(plain.stderr).not.toContain("trimmed")
    expect(await exists(paths.ruleUpdaterConfig)).toBe(false)
  }, 60_000)

  it("refuses a generated rule-updater.config (--config) and says where the token belongs; exit 2", async () => {
    const { root, paths } = await sensor()
    await mkdir(dirname(paths.ruleUpdaterConfig), { recursive: true })
    const generated = "# Automatically generated configuration, do not edit\n[__properties__]\n"
    await writeFile(paths.ruleUpdaterConfig, generated)
    const r = await cli(["token", "set", "--root", root, "--config", paths.ruleUpdaterConfig, TOKEN])
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split("\n")).toHaveLength(1)
    expect(r.stderr).toMatch(/^emergingthreats: token set: .*Suricata GUI/)
    expect(r.stderr).not.toContain(TOKEN)
    expect(await readFile(paths.ruleUpdaterConfig, "utf8")).toBe(generated)
  }, 60_000)
})

describe("send-events", () => {
  it("without a token: exit 2, one tagged line naming the file", async () => {
    const { root, paths } = await sensor()
    const r = await send(root)
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split("\n")).toHaveLength(1)
    expect(r.stderr).toMatch(/^emergingthreats: send-events: .*not found/)
    expect(r.stderr).toContain(paths.ruleUpdaterConfig)
  }, 60_000)

  it("delivers, then a run with nothing new is silent; bad flags and a missing log are usage errors", async () => {
    const { root, paths, eve } = await sensor()
    await mkdir(dirname(paths.ruleUpdaterConfig), { recursive: true })
    await writeFile(paths.ruleUpdaterConfig, `[__properties__]\net_telemetry.token = ${TOKEN}\n`)
    await writeFile(eve, range(1, 5).map((i) => alertLine(i)).join(""))
    sink.reply = () => ({ status: 201 })
    const before = sink.accepted.length
    const r = await send(root)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/5 sent/)
    expect(sink.accepted.length - before).toBe(5)
    const again = await send(root)
    expect(again.code).toBe(0)
    expect(again.stderr).toBe("")
    expect((await send(root, "--max-age", "soon")).code).toBe(2)
    const noLog = await send(root, "--log", join(root, "nowhere"))
    expect(noLog.code).toBe(2)
    expect(noLog.stderr).toContain(join(root, "nowhere"))
  }, 90_000)

  it("keeps the acknowledged bodies in a 0600 audit file beside the state; dump --sent prints them; --no-audit keeps none", async () => {
    const { root, paths, eve } = await sensor()
    await mkdir(dirname(paths.ruleUpdaterConfig), { recursive: true })
    await writeFile(paths.ruleUpdaterConfig, `[__properties__]\net_telemetry.token = ${TOKEN}\n`)
    await writeFile(eve, range(1, 4).map((i) => alertLine(i)).join(""))
    sink.reply = () => ({ status: 201 })
    const before = sink.accepted.length
    expect((await send(root)).code).toBe(0)
    const audit = join(dirname(paths.state), "sent-audit.jsonl")
    expect((await stat(audit)).mode & 0o777).toBe(0o600)
    const dumped = await cli(["dump", "--root", root, "--sent", "--since", "1d"])
    expect(dumped.code, dumped.stderr).toBe(0)
    const bodies = dumped.stdout.trimEnd().split("\n")
    expect(bodies.map((b) => JSON.parse(b))).toEqual(sink.accepted.slice(before).map((b) => JSON.parse(b)))
    expect(dumped.stderr).toMatch(/^emergingthreats: dump: 4 bodies sent in the last 1d/)

    const other = await sensor()
    await mkdir(dirname(other.paths.ruleUpdaterConfig), { recursive: true })
    await writeFile(other.paths.ruleUpdaterConfig, `[__properties__]\net_telemetry.token = ${TOKEN}\n`)
    await writeFile(other.eve, range(1, 2).map((i) => alertLine(i)).join(""))
    expect((await send(other.root, "--no-audit")).code).toBe(0)
    await expect(stat(join(dirname(other.paths.state), "sent-audit.jsonl"))).rejects.toThrow()
  }, 90_000)

  it("a refused token: exit 3, says so without the token, checkpoint unchanged", async () => {
    const { root, paths, eve } = await sensor()
    await mkdir(dirname(paths.ruleUpdaterConfig), { recursive: true })
    await writeFile(paths.ruleUpdaterConfig, `[__properties__]\net_telemetry.token = ${TOKEN}   \n`)
    await writeFile(eve, alertLine(1))
    sink.reply = () => ({ status: 401, body: `unknown token ${TOKEN}` })
    const r = await send(root)
    sink.reply = () => ({ status: 201 })
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/warning: .*whitespace.*trimmed/)
    expect(r.stderr).toMatch(/emergingthreats: send-events: the service refused the token .*leading\/trailing whitespace/)
    expect(r.stderr).not.toContain(TOKEN)
    const state = JSON.parse(await readFile(paths.state, "utf8")) as { files: Array<unknown>; lastSend: { ok: boolean } }
    expect(state.files).toEqual([])
    expect(state.lastSend.ok).toBe(false)
  }, 60_000)
})
