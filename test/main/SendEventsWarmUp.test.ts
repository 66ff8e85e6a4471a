/**
 * The startup snapshot's warm-up (src/main/SendEventsWarmUp.ts) runs the real send-events run on a made-up
 * sensor while the snapshot is built: it must deliver its synthetic alerts through the whole program (or the
 * snapshot would hold cold code and nobody would notice), and leave nothing behind.
 */
import { describe, expect, it } from "vitest"
import { readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { warmUp } from "../../src/main/SendEventsWarmUp.js"

const warmDirs = () => readdirSync(tmpdir()).filter((f) => f.startsWith("etpro-warm-"))

describe("send-events snapshot warm-up", () => {
  it("delivers every synthetic alert through the run function, and removes its temp sensor", async () => {
    const before = warmDirs()
    // Three alerts on the warm-up's SIDs; its flow record and corrupt line are read and not sent.
    expect(await warmUp()).toBe(3)
    expect(warmDirs()).toEqual(before)
  })
})
