/** `dump ... | head`: the CLI stops quietly when the reader goes away, as Unix tools do. */
import { spawn } from "node:child_process"
import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { BIN, ensureBuilt, REPO } from "../support/BuiltCli.js"

let log: string

beforeAll(async () => {
  await ensureBuilt()
  // Several MiB of output, far more than a pipe buffers, so the CLI is still writing when the pipe closes.
  const line = JSON.stringify({ timestamp: "2026-11-27T10:00:00.000000+0000", event_type: "flow", pad: "x".repeat(200) })
  log = join(await mkdtemp(join(tmpdir(), "etpro-epipe-")), "eve.json")
  await writeFile(log, `${line}\n`.repeat(40_000))
}, 60_000)

describe("stdout closed early", () => {
  it("exits 0 without a stack trace when the pipe closes after the first line", async () => {
    const child = spawn(process.execPath, [BIN, "dump", "--log", log, "--since", "all"], {
      cwd: REPO
    })
    let stderr = ""
    child.stderr.on("data", (c: Buffer) => void (stderr += c))
    // Read one chunk, then close our end: the next write of the CLI meets EPIPE.
    child.stdout.once("data", () => child.stdout.destroy())
    const code = await new Promise<number | null>((done) => child.on("close", done))
    expect(code).toBe(0)
    expect(stderr).not.toMatch(/Error|at .*\.js/)
  })
})
