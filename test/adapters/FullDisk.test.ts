/**
 * The state, its locks and the rules store on a file system that is full (issue 15, rows 2, 3 and 17), on a real tmpfs of a few
 * pages (test/support/FullDisk.ts): every failure names the path and the cause, leaves nothing behind (no
 * empty lock file to block the next runs) and leaves the state as it was; once space returns all works.
 */
import { describe, expect, it } from "vitest"
import { fullDiskUnavailable, onTinyTmpfs } from "../support/FullDisk.js"

type Outcome<A> = { ok: A } | { error: string }

describe.skipIf(fullDiskUnavailable !== undefined)("on a full disk", () => {
  it("ENOSPC while creating a lock leaves no lock file, says where and why, and the lock is free once space returns", async () => {
    const r = await onTinyTmpfs<{ full: Outcome<boolean>; left: Array<string>; again: Outcome<boolean> }>(16, "lock")
    expect(r.full).toEqual({ error: expect.stringMatching(/^cannot take the lock \/.*\/send-events\.lock: no space left on the device \(ENOSPC\)$/) })
    expect(r.left).toEqual([])
    expect(r.again).toEqual({ ok: true })
  }, 60_000)

  it("ENOSPC while writing the state: the write fails at once naming the file, the state stays as it was, no lock is left", async () => {
    const r = await onTinyTmpfs<{
      write: Outcome<unknown>
      afterWrite: { same: boolean; names: Array<string> }
      lock: Outcome<unknown>
      afterLock: { same: boolean; names: Array<string> }
      again: Outcome<number>
    }>(16, "state")
    expect(r.write).toEqual({ error: expect.stringMatching(/^cannot write the state file \/.*\/state\.json: no space left on the device \(ENOSPC\)$/) })
    expect(r.afterWrite).toEqual({ same: true, names: ["state.json"] })
    expect(r.lock).toEqual({ error: expect.stringMatching(/^cannot take the lock \/.*\/state\.json\.lock: no space left on the device \(ENOSPC\)$/) })
    expect(r.afterLock).toEqual({ same: true, names: ["state.json"] })
    expect(r.again).toEqual({ ok: 2 })
  }, 60_000)

  it("the rules directory full: the install fails naming the store and the cause (not a corrupt archive), the old rules intact (row 17)", async () => {
    const r = await onTinyTmpfs<{ full: Outcome<unknown>; intact: boolean; again: Outcome<string>; store: string }>(256, "rules")
    expect("error" in r.full && r.full.error).toMatch(/^cannot install into \/\S+: no space left on the device \(ENOSPC\)(?: \(\/\S+\))?$/)
    expect("error" in r.full && r.full.error).toContain(r.store)
    expect(r.intact).toBe(true)
    expect(r.again).toEqual({ ok: "2" })
  }, 60_000)
})
