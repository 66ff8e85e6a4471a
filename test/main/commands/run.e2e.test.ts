/**
 * The real `run` process (bin.ts under tsx) delivering to a slow loopback service, stopped with SIGTERM:
 * it exits 0 with the checkpoint in the state file, and nothing is lost when a one-shot run takes over.
 */
import { spawn } from "node:child_process"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { resolvePaths } from "../../../src/domain/Paths.js"

const BIN = join(import.meta.dirname, "../../../src/main/bin.ts")
const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** A service that takes `delayMs` to acknowledge each event and records which flows it got. */
const slowService = async (delayMs: number) => {
  const received: Array<number> = []
  const timing = { delayMs }
  const server: Server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      if (req.url === "/api/v1/event") {
        setTimeout(() => {
          received.push((JSON.parse(Buffer.concat(chunks).toString()) as { flow_id: number }).flow_id)
          res.writeHead(201).end("{}")
        }, timing.delayMs)
      } else res.writeHead(404).end()
    })
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  const s = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, timing }
  cleanups.push(async () => {
    server.closeAllConnections()
    await new Promise<void>((r) => server.close(() => r()))
  })
  return s
}

const alert = (i: number) =>
  JSON.stringify({
    timestamp: "2026-11-27T10:00:00.000000+0000",
    flow_id: i,
    event_type: "alert",
    src_ip: "203.0.113.5",
    src_port: 40000 + (i % 1000),
    dest_ip: "198.51.100.7",
    dest_port: 443,
    proto: "TCP",
    alert: { action: "allowed", gid: 1, signature_id: 2000001, rev: 1, signature: "ET TEST", category: "test", severity: 2 }
  })

const sensor = async (events: number) => {
  const root = await mkdtemp(join(tmpdir(), "etpro-run-e2e-"))
  cleanups.push(() => rm(root, { recursive: true, force: true }))
  const paths = resolvePaths({ root })
  await mkdir(join(root, "usr/local/etc/suricata"), { recursive: true })
  await mkdir(paths.logDir, { recursive: true })
  await writeFile(paths.ruleUpdaterConfig, "[__properties__]\net_telemetry.token=run-e2e-token\n")
  await writeFile(join(paths.logDir, "eve.json"), Array.from({ length: events }, (_, i) => alert(i) + "\n").join(""))
  return { root, paths, eve: join(paths.logDir, "eve.json") }
}

const start = (args: ReadonlyArray<string>) => {
  const child = spawn(process.execPath, ["--import", "tsx", BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] })
  let stderr = ""
  let stdout = ""
  child.stderr!.on("data", (d: Buffer) => void (stderr += d.toString()))
  child.stdout!.on("data", (d: Buffer) => void (stdout += d.toString()))
  cleanups.push(async () => void (child.exitCode === null && child.signalCode === null && child.kill("SIGKILL")))
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)))
  return { child, exited, stderr: () => stderr, stdout: () => stdout }
}

const until = async (what: () => boolean, ms: number, label: string) => {
  const end = Date.now() + ms
  while (!what()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${label}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

const stateOf = async (path: string) =>
  JSON.parse(await readFile(path, "utf8")) as { files: Array<{ path: string; offset: number }>; lastSend?: { ok: boolean } }

const runArgs = (root: string, url: string, extra: ReadonlyArray<string> = []) =>
  ["run", "--root", root, "--base-url", url, "--tasks", "events", "--now", "--max-age", "off", ...extra]

describe("run, stopped by SIGTERM", () => {
  it("finishes the delivery in progress, writes the checkpoint and exits 0", async () => {
    const svc = await slowService(60)
    const s = await sensor(40)
    const p = start(runArgs(s.root, svc.url))
    await until(() => svc.received.length >= 2, 60_000, "the first events")
    p.child.kill("SIGTERM")
    expect(await p.exited).toBe(0)
    expect(p.stderr()).toMatch(/run: SIGTERM: stopping/)
    expect(p.stderr()).toMatch(/run: stopped; 1 event runs/)
    // Every event once, and the checkpoint at the end of the file.
    expect([...svc.received].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i))
    const st = await stateOf(s.paths.state)
    expect(st.files.find((f) => f.path === s.eve)?.offset).toBe((await stat(s.eve)).size)
    expect(st.lastSend?.ok).toBe(true)
  }, 120_000)

  it("past the grace period: interrupts, keeps the checkpoint written so far, and loses nothing", async () => {
    const svc = await slowService(150)
    const total = 300
    const s = await sensor(total)
    const p = start(runArgs(s.root, svc.url, ["--stop-grace", "1"]))
    await until(() => svc.received.length >= 40, 30_000, "40 events")
    const t0 = Date.now()
    p.child.kill("SIGTERM")
    expect(await p.exited).toBe(0)
    const stoppedMs = Date.now() - t0
    expect(p.stderr()).toMatch(/interrupted/)
    const size = (await stat(s.eve)).size
    const offset = (await stateOf(s.paths.state)).files.find((f) => f.path === s.eve)?.offset ?? 0
    expect(offset).toBeGreaterThan(0)
    expect(offset).toBeLessThan(size)
    // The checkpoint sits on a line boundary after the first `k` events, all acknowledged.
    const text = await readFile(s.eve)
    expect(text[offset - 1]).toBe(0x0a)
    const k = text.subarray(0, offset).toString().split("\n").length - 1
    // Requests cut off by the exit may still land at the service: let them, then take stock.
    await new Promise((r) => setTimeout(r, svc.timing.delayMs + 200))
    const before = [...svc.received]
    for (let i = 0; i < k; i++) expect(before).toContain(i)

    // A one-shot run resumes from the checkpoint and delivers the rest (quickly now).
    svc.timing.delayMs = 2
    const next = start(["send-events", "--root", s.root, "--base-url", svc.url, "--direct", "--max-age", "off"])
    expect(await next.exited).toBe(0)
    expect(new Set(svc.received).size).toBe(total)
    // Exactly what was acknowledged after the checkpoint's last write (or in flight) is sent again.
    const duplicates = svc.received.length - total
    expect(duplicates).toBe(before.filter((id) => id >= k).length)
    console.log(`grace exceeded: stopped ${stoppedMs} ms after SIGTERM; ${before.length} received before, checkpoint after ${k}; ${duplicates} re-sent after restart`)
  }, 120_000)

  it("--status-listen serves the status page while the tasks run, and closes with the agent", async () => {
    const svc = await slowService(10)
    const s = await sensor(1)
    const p = start(["run", "--root", s.root, "--base-url", svc.url, "--tasks", "sensor-info", "--now", "--status-listen", "127.0.0.1:0"])
    await until(() => /listening on http:\/\/127\.0\.0\.1:\d+/.test(p.stdout()), 60_000, "the status server")
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(p.stdout())![1]!
    // The slow service has no sensor-info endpoint: the task fails, is logged, and the agent goes on.
    await until(() => /run: sensor-info failed: HTTP 404/.test(p.stderr()), 20_000, "the failed sensor-info run")
    const res = await fetch(`${url}/api/status`)
    expect(res.status).toBe(200)
    expect(await res.json()).toHaveProperty("status")
    p.child.kill("SIGTERM")
    expect(await p.exited).toBe(0)
    await expect(fetch(`${url}/api/status`)).rejects.toThrow()
  }, 120_000)

  it("never delivers alongside a one-shot send-events: the same run lock", async () => {
    // 1,000 events at 100 ms each, 4 in flight: the agent is still delivering when the one-shot starts
    // (25 s: a one-shot started under tsx on a loaded machine may take 10 s to get there).
    const svc = await slowService(100)
    const s = await sensor(1000)
    const p = start(runArgs(s.root, svc.url, ["--stop-grace", "1"]))
    await until(() => svc.received.length >= 2, 60_000, "the first events")
    const oneShot = start(["send-events", "--root", s.root, "--base-url", svc.url, "--direct", "--max-age", "off"])
    expect(await oneShot.exited).toBe(0)
    expect(oneShot.stderr()).toMatch(/another send-events run is in progress/)
    expect(svc.received.length).toBeLessThan(1000)
    p.child.kill("SIGTERM")
    expect(await p.exited).toBe(0)
    // Each event arrived once: the one-shot run sent nothing while the agent delivered.
    expect(new Set(svc.received).size).toBe(svc.received.length)
  }, 120_000)

  it("a second run on the same sensor says so and exits 0", async () => {
    const svc = await slowService(10)
    const s = await sensor(1)
    const first = start(runArgs(s.root, svc.url))
    await until(() => /run: started/.test(first.stderr()), 60_000, "the first run to start")
    const second = start(runArgs(s.root, svc.url))
    expect(await second.exited).toBe(0)
    expect(second.stderr()).toMatch(/another run is active/)
    first.child.kill("SIGINT")
    expect(await first.exited).toBe(0)
  }, 120_000)

  it("--tick: minutes pass quickly; an idle minute runs nothing and writes nothing; new alerts go out the next minute", async () => {
    const svc = await slowService(1)
    const s = await sensor(3)
    const p = start(["run", "--root", s.root, "--base-url", svc.url, "--tasks", "events", "--max-age", "off", "--tick", "50ms"])
    await until(() => svc.received.length === 3, 30_000, "the first delivery")
    // The run's last checkpoint write follows the last acknowledgement: let that run end.
    await new Promise((r) => setTimeout(r, 1_000))
    const written = (await stat(s.paths.state)).mtimeMs
    const said = p.stderr()
    const listing = async () => (await readdir(dirname(s.paths.state))).sort()
    const files = await listing()
    // 40 scheduled minutes with nothing new: no run, no lock file, no state write.
    await new Promise((r) => setTimeout(r, 40 * 50))
    expect((await stat(s.paths.state)).mtimeMs).toBe(written)
    expect(await listing()).toEqual(files)
    expect(p.stderr()).toBe(said)
    await writeFile(s.eve, alert(3) + "\n", { flag: "a" })
    await until(() => svc.received.length === 4, 30_000, "the new alert")
    p.child.kill("SIGTERM")
    expect(await p.exited).toBe(0)
    expect(p.stderr()).toMatch(/run: stopped; \d+ event runs/)
  }, 120_000)
})
