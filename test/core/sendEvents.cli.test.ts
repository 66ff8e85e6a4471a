/**
 * The same bytes as `send-events` itself: the built CLI sends the sample eve.json to a loopback sink
 * (test/support/TelemetrySink.ts), and the bodies the sink received are exactly `sanitiseLine`'s events for the
 * same lines and HOME_NET (as a multiset: send-events keeps several POSTs in flight).
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { sanitiseLine } from "etpro-telemetry/core"
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { resolvePaths } from "../../src/domain/Paths.js"
import { REPO, runBuilt } from "../support/BuiltCli.js"
import { type Sink, startSink } from "../support/TelemetrySink.js"
import { hostNetworks } from "./dumpCli.js"

const FIXTURE = join(REPO, "fixtures/sample/eve.json")
const HOME = ["192.168.0.0/16", "2001:db8::/32"]

let sink: Sink
let root: string
beforeAll(async () => {
  sink = await startSink()
  root = await mkdtemp(join(tmpdir(), "etpro-core-send-"))
})
afterAll(async () => {
  await sink.close()
  await rm(root, { recursive: true, force: true })
})

describe("sanitiseLine and send-events", () => {
  it("the sink receives exactly sanitiseLine's events for the sample eve.json", async () => {
    const paths = resolvePaths({ root })
    await mkdir(paths.logDir, { recursive: true })
    await copyFile(FIXTURE, join(paths.logDir, "eve.json"))
    await mkdir(dirname(paths.ruleUpdaterConfig), { recursive: true })
    await writeFile(paths.ruleUpdaterConfig, "[__properties__]\net_telemetry.token = core-test-token-1\n", { mode: 0o600 })
    const r = await runBuilt(
      ["send-events", "--root", root, "--direct", "--base-url", sink.url, "--max-age", "off", "--home-net", HOME.join(","), "--no-audit"],
      120_000
    )
    expect(r.code, r.stderr).toBe(0)
    const lines = (await readFile(FIXTURE, "utf8")).split("\n").filter((l) => l !== "")
    const mine = lines.flatMap((l) => {
      const x = sanitiseLine(l, { homeNet: HOME, localNetworks: hostNetworks() })
      return x.kind === "event" ? [x.body] : []
    })
    expect(mine.length).toBeGreaterThan(50)
    expect([...sink.accepted].sort()).toEqual([...mine].sort())
  }, 150_000)
})
