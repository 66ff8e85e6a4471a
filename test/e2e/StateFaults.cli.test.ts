/**
 * `send-events` as cron runs it (from the sources) when the state goes wrong (issue 15, rows 2, 3 and 19):
 * the state file system full mid-run or while taking the run lock (a real tmpfs of a few pages, in a mount
 * namespace of the run's own: test/support/FullDisk.ts), and a state file from a newer version.
 */
import { mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { emptyState, renderState } from "../../src/domain/AgentState.js"
import { resolvePaths } from "../../src/domain/Paths.js"
import { collect } from "../support/BuiltCli.js"
import { fullDiskUnavailable } from "../support/FullDisk.js"
import { alertLine, range } from "../support/SendHarness.js"
import { type Sink, startSink } from "../support/TelemetrySink.js"
import { CLI, REPO, runCli } from "./support.js"

const TOKEN = "state-faults-token-7"

let sink: Sink
beforeAll(async () => {
  sink = await startSink()
})
afterAll(() => sink.close())

const sensor = async () => {
  const root = await mkdtemp(join(tmpdir(), "cli-state-"))
  const paths = resolvePaths({ root })
  await mkdir(paths.logDir, { recursive: true })
  await mkdir(dirname(paths.ruleUpdaterConfig), { recursive: true })
  await mkdir(dirname(paths.state), { recursive: true })
  await writeFile(paths.ruleUpdaterConfig, `[__properties__]\net_telemetry.token = ${TOKEN}\n`, { mode: 0o600 })
  await writeFile(join(paths.logDir, "eve.json"), range(1, 5).map((i) => alertLine(i)).join(""))
  return { root, paths }
}

/**
 * Runs `send-events` with its state directory on a fresh 64 KiB tmpfs holding `seed` as state.json, filled
 * up but for `freePages` pages; then, with the filler gone, once more. Prints markers between the parts.
 */
const onFullStateDisk = (root: string, stateDir: string, seed: string, freePages: number) => {
  const send = [...CLI, "send-events", "--root", root, "--direct", "--base-url", sink.url].map((a) => `'${a}'`).join(" ")
  const script = [
    `mount -t tmpfs -o size=64k tmpfs "$1"`,
    `cp "$2" "$1/state.json"`,
    `dd if=/dev/zero of="$1/filler" bs=4096 2>/dev/null; truncate -s -${freePages * 4096} "$1/filler"`,
    `${send}; echo "@exit=$?"`,
    `echo "@state"; cat "$1/state.json"; echo "@names"; ls -A "$1"`,
    `rm "$1/filler"; ${send}; echo "@again=$?"`
  ].join("\n")
  return collect("unshare", ["-rm", "sh", "-c", script, "sh", stateDir, seed], { cwd: REPO }, 90_000)
}

describe("send-events and its state", () => {
  it.skipIf(fullDiskUnavailable !== undefined)(
    "the state file system full mid-run: the run ends (exit 1) naming the file and the cause, the checkpoint as it was",
    async () => {
      const { root, paths } = await sensor()
      const seed = join(root, "seed.json")
      await writeFile(seed, renderState(emptyState))
      const before = sink.accepted.length
      // Room for the run lock and the state lock; none for a new state file.
      const r = await onFullStateDisk(root, dirname(paths.state), seed, 2)
      const [, exit, state, names, again] = /@exit=(\d+)\n@state\n([^]*?)@names\n([^]*?)@again=(\d+)/.exec(r.stdout) ?? []
      expect(exit, r.stdout + r.stderr).toBe("1")
      expect(r.stderr).toContain(`emergingthreats: send-events: cannot write the state file ${paths.state}: no space left on the device (ENOSPC)`)
      expect(state).toBe(renderState(emptyState))
      expect(names!.split("\n").filter(Boolean).sort()).toEqual(["filler", "state.json"])
      expect(sink.accepted.length - before).toBeGreaterThanOrEqual(5)
      // Space back: the next run is not "in progress", and delivers again (at least once).
      expect(again).toBe("0")
      expect(r.stderr).not.toContain("in progress")
    },
    120_000
  )

  it.skipIf(fullDiskUnavailable !== undefined)(
    "ENOSPC while creating the run lock: exit 1 naming the lock and the cause, no lock left, the next run goes ahead",
    async () => {
      const { root, paths } = await sensor()
      const seed = join(root, "seed.json")
      await writeFile(seed, renderState(emptyState))
      const r = await onFullStateDisk(root, dirname(paths.state), seed, 0)
      const [, exit, , names, again] = /@exit=(\d+)\n@state\n([^]*?)@names\n([^]*?)@again=(\d+)/.exec(r.stdout) ?? []
      expect(exit, r.stdout + r.stderr).toBe("1")
      expect(r.stderr).toMatch(/emergingthreats: send-events: cannot take the lock \S*send-events\.lock: no space left on the device \(ENOSPC\)/)
      expect(names!.split("\n").filter(Boolean).sort()).toEqual(["filler", "state.json"])
      expect(again, r.stderr).toBe("0")
      expect(r.stderr).not.toContain("in progress")
    },
    120_000
  )

  it("a state file from a newer version: exit 2, one line naming it and its version, the file untouched, nothing sent", async () => {
    const { root, paths } = await sensor()
    const newer = `${JSON.stringify({ version: 3, files: [], counters: {}, hourly: [], fromTheFuture: true })}\n`
    await writeFile(paths.state, newer)
    const before = sink.received.length
    const r = await runCli(["send-events", "--root", root, "--direct", "--base-url", sink.url])
    expect(r.code, r.stderr).toBe(2)
    expect(r.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(new RegExp(`^emergingthreats: send-events: the state file ${paths.state} is version 3, written by a newer agent`))
    ])
    expect(await readFile(paths.state, "utf8")).toBe(newer)
    expect((await readdir(dirname(paths.state))).sort()).toEqual(["state.json"])
    expect(sink.received.length).toBe(before)
  }, 60_000)
})
