/** Issue 24 row 4: cron's cheap start never reads a FIFO at the state or token path; the full command refuses it. */
import { execFileSync } from "node:child_process"
import { mkdir, mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { describe, expect, it } from "vitest"
import { resolvePaths } from "../../src/domain/Paths.js"
import { nothingNew } from "../../src/main/SendEventsFastPath.js"

describe("nothingNew with an own file that is a FIFO", () => {
  for (const which of ["state", "tokenFile", "ruleUpdaterConfig"] as const) {
    it(`a FIFO at ${which}: false at once (the full command says why)`, async () => {
      const root = await mkdtemp(join(tmpdir(), "fast-fifo-"))
      const paths = resolvePaths({ root })
      await mkdir(dirname(paths[which]), { recursive: true })
      execFileSync("mkfifo", [paths[which]])
      const answer = await Promise.race([
        nothingNew(["--root", root]),
        new Promise<string>((r) => setTimeout(() => r("blocked"), 3000))
      ])
      expect(answer).toBe(false)
    })
  }
})
