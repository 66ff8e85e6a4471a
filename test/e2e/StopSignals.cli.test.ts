/**
 * Stop signals to the built CLI's `run` (bin/etpro-telemetry, dist/): the first SIGTERM stops it (exit 0); a
 * second one while it ends — systemd's stop after an operator's kill, or the OPNsense port's test sending
 * one per line it reads — ends it with the code already decided, never by Node's default (death by the
 * signal, which rc.d and systemd report as a failure).
 */
import { spawn } from "node:child_process"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { BIN, ensureBuilt } from "../support/BuiltCli.js"

beforeAll(() => ensureBuilt(), 90_000)

describe("stop signals to run", () => {
  it("a SIGTERM right after the first one (as the agent says it stopped) still ends it with exit 0", async () => {
    const root = await mkdtemp(join(tmpdir(), "etpro-stop-"))
    try {
      for (let round = 0; round < 3; round++) {
        const child = spawn(process.execPath, [BIN, "run", "--root", root, "--base-url", "http://127.0.0.1:9", "--tasks", "events"], {
          stdio: ["ignore", "ignore", "pipe"]
        })
        let stderr = ""
        let sent = 0
        const ended = new Promise<{ code: number | null; signal: string | null }>((done) => {
          const timer = setTimeout(() => child.kill("SIGKILL"), 30_000)
          child.on("exit", (code, signal) => {
            clearTimeout(timer)
            done({ code, signal })
          })
        })
        child.stderr.on("data", (d: Buffer) => {
          stderr += d.toString()
          if (sent === 0 && stderr.includes(": started (")) (sent = 1), child.kill("SIGTERM")
          if (sent === 1 && stderr.includes("run: stopped;")) (sent = 2), child.kill("SIGTERM")
        })
        expect(await ended, stderr).toEqual({ code: 0, signal: null })
      }
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  }, 120_000)
})
