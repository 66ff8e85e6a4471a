/** `--max-age DURATION|off` is read the same way by send-events, run and replay: a bad value is a usage error. */
import { mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { runBuilt } from "../../support/BuiltCli.js"

describe("--max-age", () => {
  for (const command of [["send-events", "--direct", "--root"], ["run", "--root"], ["replay", "--log", "fixtures/sample/eve.json", "--home-net"]]) {
    for (const bad of ["soon", "0s"]) {
      it(`${command[0]} --max-age ${bad}: exit 2 with one tagged line`, async () => {
        const root = await mkdtemp(join(tmpdir(), "etpro-maxage-"))
        // Each command gets a harmless last flag value: a temp root, or (replay) a HOME_NET.
        const r = await runBuilt([...command, command[0] === "replay" ? "10.0.0.0/8" : root, "--max-age", bad])
        expect(r.code).toBe(2)
        expect(r.stderr.trim().split("\n").at(-1)).toBe(
          `emergingthreats: ${command[0]}: --max-age "${bad}" is not a duration (90s, 30m, 1h, 2d) or off`
        )
      })
    }
  }
})
