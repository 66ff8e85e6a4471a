/**
 * `send-events` and `dump` from the sources, with a FIFO and a directory
 * among the eve files (issue 15, rows 4 and 16): neither blocks nor fails a run; eve.json is delivered.
 */
import { execFileSync } from "node:child_process"
import { mkdir, mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { resolvePaths } from "../../src/domain/Paths.js"
import { alertLine, range } from "../support/SendHarness.js"
import { type Sink, startSink } from "../support/TelemetrySink.js"
import { runCli } from "./support.js"

const TOKEN = "special-files-token-3"

let sink: Sink
beforeAll(async () => {
  sink = await startSink()
})
afterAll(() => sink.close())

describe("special files among eve files, through the CLI", () => {
  it("send-events delivers eve.json past a FIFO eve.json.1 and a directory eve.json.2, twice without blocking; dump too", async () => {
    const root = await mkdtemp(join(tmpdir(), "cli-special-"))
    const paths = resolvePaths({ root })
    await mkdir(paths.logDir, { recursive: true })
    await mkdir(dirname(paths.ruleUpdaterConfig), { recursive: true })
    await writeFile(paths.ruleUpdaterConfig, `[__properties__]\net_telemetry.token = ${TOKEN}\n`)
    await writeFile(join(paths.logDir, "eve.json"), range(1, 3).map((i) => alertLine(i)).join(""))
    execFileSync("mkfifo", [join(paths.logDir, "eve.json.1")])
    await mkdir(join(paths.logDir, "eve.json.2"))
    const send = () => runCli(["send-events", "--root", root, "--direct", "--base-url", sink.url], {}, 30_000)
    const before = sink.accepted.length
    const first = await send()
    expect(first.code, first.stderr).toBe(0)
    expect(sink.accepted.length - before).toBe(3)
    expect(first.stderr).toContain(`emergingthreats: send-events: skipped ${join(paths.logDir, "eve.json.1")}: a FIFO, not a log file`)
    expect(first.stderr).toContain(`emergingthreats: send-events: skipped ${join(paths.logDir, "eve.json.2")}: a directory, not a log file`)
    // Nothing new: the run must not wait on the FIFO either.
    const second = await send()
    expect(second.code, second.stderr).toBe(0)
    expect(sink.accepted.length - before).toBe(3)
    const dump = await runCli(["dump", "--root", root, "--since", "all"], {}, 30_000)
    expect(dump.code, dump.stderr).toBe(0)
    expect(dump.stdout.trim().split("\n")).toHaveLength(3)
    expect(dump.stderr).toContain(`emergingthreats: dump: skipped ${join(paths.logDir, "eve.json.1")}: a FIFO, not a log file`)
  }, 120_000)
})
