/**
 * Load: 4 agents ship 100,000 sanitised events in total, concurrently, to a `service --db FILE` child over
 * loopback. Every event must be stored exactly once, and the service must do it inside a capped V8 old
 * space (160 MiB, of which the idle service run from the sources with tsx already uses ~60 MiB): a service
 * that kept the bodies or requests in memory (100,000 of them) would run out. The figures
 * (events/s, RSS) go to BENCHMARKS.md through bench/sections/50-service.mjs, which this test shares.
 * The agents here are HTTP clients in this process (each its own token and pool of 4 connections): the
 * agent CLI itself is exercised against the service in Cli.test.ts.
 */
import { afterAll, describe, expect, it } from "vitest"
import { serviceLoad } from "../../bench/sections/50-service.mjs"
import { CLI } from "./support.js"

let servicePid: number | undefined
afterAll(() => {
  // Only if the test timed out before the harness could stop the service itself.
  if (servicePid !== undefined) {
    try {
      process.kill(servicePid, "SIGKILL")
    } catch {
      // already gone
    }
  }
})

describe("service under load", () => {
  it("4 concurrent agents × 25,000 events: none lost, none doubled, memory bounded", async () => {
    const f = await serviceLoad({
      cli: CLI,
      agents: 4,
      events: 100_000,
      serviceNodeArgs: ["--max-old-space-size=160"],
      onServiceStart: (pid) => void (servicePid = pid)
    })
    servicePid = undefined
    process.stdout.write(
      `load: ${f.stored} events in ${f.seconds} s (${f.eventsPerSecond}/s), service RSS ${f.serviceRssIdleMiB} → ${f.serviceRssPeakMiB} MiB\n`
    )
    expect(f.failed).toBe(0)
    expect(f.stored).toBe(100_000)
    expect(f.perSensor).toEqual([25_000, 25_000, 25_000, 25_000])
    expect(f.violations).toBe(0)
    // The heap cap is the bound; RSS adds the runtime, the SQLite cache and buffers on top of it.
    expect(f.serviceRssPeakMiB).toBeLessThan(400)
  }, 300_000)
})
