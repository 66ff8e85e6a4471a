/**
 * Issue 24 row 4: the agent's own files must be regular files. A FIFO (made by mkfifo(1)), a socket, a
 * device (a symlink to /dev/null) or a directory at the state, audit, lock or token path is refused at
 * once by the built CLI with one line naming the path, exit 1; nothing blocks, no lock is left held, and
 * the next run after the file is moved away delivers as usual.
 */
import { execFileSync } from "node:child_process"
import { mkdir, rm, symlink, writeFile } from "node:fs/promises"
import { createServer, type Server } from "node:net"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { setTokenInText } from "../../src/domain/TokenSource.js"
import { ensureBuilt, runBuilt } from "../support/BuiltCli.js"
import { alertLine, range } from "../support/SendHarness.js"
import { type SensorTree, sensorTree } from "../support/SensorTree.js"
import { type Sink, startSink } from "../support/TelemetrySink.js"

let tree: SensorTree
let sink: Sink
const sockets: Array<Server> = []

beforeAll(async () => {
  await ensureBuilt()
  sink = await startSink()
  tree = await sensorTree({ mode: "IDS" })
  await writeFile(tree.paths.ruleUpdaterConfig, setTokenInText("", "own-files-token-0123456"), { mode: 0o600 })
  await mkdir(tree.paths.logDir, { recursive: true })
  await writeFile(join(tree.paths.logDir, "eve.json"), range(1, 3).map((i) => alertLine(i)).join(""))
  await mkdir(join(tree.paths.state, ".."), { recursive: true })
}, 90_000)

afterAll(async () => {
  for (const s of sockets) s.close()
  await sink?.close()
  await tree?.cleanup()
})

const cli = (...args: Array<string>) => runBuilt([...args, "--root", tree.root, "--base-url", sink.url], 20_000)
const stateDir = () => join(tree.paths.state, "..")

type Maker = (path: string) => Promise<void>
const fifo: Maker = async (p) => void execFileSync("mkfifo", [p])
const directory: Maker = (p) => mkdir(p).then(() => undefined)
const device: Maker = (p) => symlink("/dev/null", p)
const socket: Maker = (p) =>
  new Promise((done) => {
    const s = createServer()
    sockets.push(s)
    s.listen(p, () => done())
  })

const expectRefused = (r: { code: number | null; stderr: string }, command: string, path: string, why: RegExp) => {
  // Refused, not killed by the 20 s guard: an answer at once.
  expect(r.code).toBe(1)
  const lines = r.stderr.trim().split("\n")
  expect(lines).toHaveLength(1)
  expect(lines[0]).toMatch(new RegExp(`^emergingthreats: ${command}: .*${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is ${why.source}, not a regular file`))
}

describe("own files that are not regular files (issue 24 row 4)", () => {
  const cases: Array<[string, () => string, Maker, RegExp]> = [
    ["a FIFO at state.json", () => tree.paths.state, fifo, /a FIFO/],
    ["a FIFO at sent-audit.jsonl", () => join(stateDir(), "sent-audit.jsonl"), fifo, /a FIFO/],
    ["a socket at the send-events lock", () => join(stateDir(), "send-events.lock"), socket, /a socket/],
    ["a device at state.json.lock", () => `${tree.paths.state}.lock`, device, /a device/],
    ["a directory at state.json", () => tree.paths.state, directory, /a directory/],
    ["a FIFO at the token file", () => tree.paths.tokenFile, fifo, /a FIFO/]
  ]
  for (const [name, pathOf, make, why] of cases) {
    it(`${name}: send-events, status and dump --sent refuse it at once; moved away, delivery resumes`, async () => {
      const path = pathOf()
      await mkdir(join(path, ".."), { recursive: true })
      // The regular file an earlier case's run left there, replaced.
      await rm(path, { recursive: true, force: true })
      await make(path)
      const started = Date.now()
      expectRefused(await cli("send-events", "--direct"), "send-events", path, why)
      expectRefused(await cli("status"), "status", path, why)
      if (path.includes("sent-audit")) {
        const d = await runBuilt(["dump", "--sent", "--since", "all", "--root", tree.root], 20_000)
        expect(d.code).toBe(1)
        expect(d.stderr).toContain(`${path} is a FIFO, not a regular file`)
      }
      expect(Date.now() - started).toBeLessThan(15_000)
      await rm(path, { recursive: true, force: true })
      // No lock was left held: the next run delivers.
      const before = sink.accepted.length
      const again = await cli("send-events", "--direct")
      expect(again.code).toBe(0)
      expect(again.stderr).not.toMatch(/in progress/)
      expect(sink.accepted.length).toBeGreaterThanOrEqual(before)
    }, 90_000)
  }
})
