/** Issue 24 row 5: a run forgets a checkpoint only when its file is really gone (keptCheckpoints). */
import { describe, expect, it } from "vitest"
import type { FileCheckpoint } from "../../src/domain/AgentState.js"
import { keptCheckpoints, mergeCheckpoints, type PlannedFile } from "../../src/domain/Checkpoint.js"

const cp = (fingerprint: string, path: string, offset = 100): FileCheckpoint => ({ fingerprint, path, dev: 1, ino: fingerprint.length, offset })
const plan = (fingerprint: string, path: string): PlannedFile => ({ fingerprint, path, dev: 1, ino: 9, size: 500, start: 100, reason: "resume" })

const previous = [cp("a", "/var/log/suricata/eve.json.2"), cp("b", "/var/log/suricata/eve.json.1"), cp("c", "/var/log/suricata/eve.json")]

describe("keptCheckpoints", () => {
  it("a run given one file (--log FILE) keeps the checkpoints of every other file", () => {
    const plans = [plan("c", "/var/log/suricata/eve.json")]
    const kept = keptCheckpoints(previous, plans, { log: "/var/log/suricata/eve.json", listed: [{ path: "/var/log/suricata/eve.json" }], settled: true })
    expect(kept.map((c) => c.fingerprint)).toEqual(["a", "b"])
  })

  it("a run given one rotated file keeps eve.json's checkpoint, even with a trailing slash nowhere to be seen", () => {
    const plans = [plan("b", "/var/log/suricata/eve.json.1")]
    const kept = keptCheckpoints(previous, plans, { log: "/var/log/suricata/eve.json.1", listed: [{ path: "/var/log/suricata/eve.json.1" }], settled: true })
    expect(kept.map((c) => c.fingerprint)).toEqual(["a", "c"])
  })

  it("a run over the directory forgets the files that are gone from it, and only those", () => {
    const plans = [plan("b", "/var/log/suricata/eve.json.2"), plan("c", "/var/log/suricata/eve.json.1"), plan("d", "/var/log/suricata/eve.json")]
    const other = cp("x", "/srv/other-sensor/eve.json")
    const kept = keptCheckpoints([...previous, other], plans, {
      log: "/var/log/suricata/",
      listed: plans.map((p) => ({ path: p.path })),
      settled: true
    })
    // `a` (the old eve.json.2) was rotated away; the other directory's checkpoint is not this run's to judge.
    expect(kept).toEqual([other])
  })

  it("a listing that never settled (logrotate at work) forgets nothing", () => {
    const kept = keptCheckpoints(previous, [], { log: "/var/log/suricata", listed: [], settled: false })
    expect(kept).toEqual(previous)
  })

  it("mergeCheckpoints stores the run's own first, then the kept ones", () => {
    expect(mergeCheckpoints([cp("c", "x")], [cp("a", "y")]).map((c) => c.fingerprint)).toEqual(["c", "a"])
  })
})
