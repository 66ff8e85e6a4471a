/**
 * Issue 15 rows 8, 14 and 17 on the archive reader itself: junk after the end-of-archive marker costs a
 * bounded amount of work (pinned as bytes inflated, not wall time), the archive's own version must be the
 * one announced, and a full disk during extraction is said as such.
 */
import { describe, expect, it } from "vitest"
import { mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises"
import { existsSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { constants, gzipSync } from "node:zlib"
import { ArchiveFault, extract } from "../../src/adapters/RulesArchive.js"
import { defaultLimits, GENERATION_RULES } from "../../src/domain/RulesPlan.js"
import { rule, tarBytes } from "../support/rulesArchive.js"

const members = (version?: string) => [
  { path: "rules/", type: "Directory" as const },
  { path: "rules/emerging-scan.rules", body: rule(2001) },
  { path: "rules/telemetry_sids.txt", body: "2001\n" },
  ...(version === undefined ? [] : [{ path: "rules/telemetry_version.json", body: `#@opnsense_download_hash:abc\n{"version": "${version}"}\n` }])
]

const place = async (bytes: Buffer) => {
  const dir = await mkdtemp(join(tmpdir(), "archive-"))
  const staging = join(dir, "staging")
  await mkdir(join(staging, GENERATION_RULES), { recursive: true })
  const archive = join(dir, "download.tar.gz")
  await writeFile(archive, bytes)
  return { dir, staging, archive }
}

const failure = async (p: Promise<unknown>): Promise<Error> => {
  try {
    await p
  } catch (e) {
    return e as Error
  }
  throw new Error("expected a failure")
}

const MiB = 1024 * 1024

describe("RulesArchive.extract", () => {
  it("junk after end-of-archive: 1 GiB of it (in a 1 MB download) costs at most 1 MiB of inflating, well under a second", async () => {
    // One gzip member with the ruleset, then gzip members of compressible junk adding up to 1 GiB inflated:
    // each 64 MiB member is compressed once and repeated (gunzip reads concatenated members as one stream).
    const junk = gzipSync(Buffer.alloc(64 * MiB, "junk "), { level: constants.Z_BEST_COMPRESSION })
    const bytes = Buffer.concat([gzipSync(tarBytes(members())), ...Array.from({ length: 16 }, () => junk)])
    expect(bytes.length).toBeLessThan(2 * MiB)
    const { staging, archive } = await place(bytes)
    const meter = { inflated: 0 }
    const started = performance.now()
    const e = await failure(extract(archive, staging, "all", defaultLimits, undefined, meter))
    const elapsed = performance.now() - started
    expect(e).toBeInstanceOf(ArchiveFault)
    expect((e as ArchiveFault).reason).toBe("corrupt")
    expect(e.message).toMatch(/after the end-of-archive marker/)
    // The bound on work: the tar itself plus the trailing allowance and one inflate chunk, not 1 GiB.
    expect(meter.inflated).toBeLessThan(tarBytes(members()).length + MiB + 64 * 1024)
    expect(elapsed).toBeLessThan(1000)
  })

  it("the padding tar itself writes after end-of-archive is read to the gzip trailer and accepted", async () => {
    const padded = Buffer.concat([tarBytes(members()), Buffer.alloc(9 * 1024)])
    const { staging, archive } = await place(gzipSync(padded))
    const meter = { inflated: 0 }
    const got = await extract(archive, staging, "all", defaultLimits, undefined, meter)
    expect(got.files).toEqual(["emerging-scan.rules"])
    expect(meter.inflated).toBe(padded.length)
  })

  it("a gzip inside the gzip is refused, not inflated twice", async () => {
    const { staging, archive } = await place(gzipSync(gzipSync(tarBytes(members()))))
    const e = await failure(extract(archive, staging, "all", defaultLimits))
    expect((e as ArchiveFault).reason).toBe("corrupt")
  })

  it("the archive's own version must be the one announced", async () => {
    const { staging, archive } = await place(gzipSync(tarBytes(members("v1"))))
    const e = await failure(extract(archive, staging, "all", defaultLimits, "v2"))
    expect((e as ArchiveFault).reason).toBe("version")
    expect(e.message).toBe(`the archive is version "v1", not the "v2" the service announced`)
    const again = await place(gzipSync(tarBytes(members("v2"))))
    const ok = await extract(again.archive, again.staging, "all", defaultLimits, "v2")
    expect(ok.version).toBe("v2")
    // It is read, never extracted: the installer writes its own.
    expect(existsSync(join(again.staging, GENERATION_RULES, "telemetry_version.json"))).toBe(false)
    // An archive that does not say its version is taken at the service's word.
    const silent = await place(gzipSync(tarBytes(members())))
    expect((await extract(silent.archive, silent.staging, "all", defaultLimits, "v2")).version).toBeUndefined()
  })

  it("a full disk while extracting says 'no space left on <dir>', not 'corrupt archive'", async () => {
    if (!existsSync("/dev/full")) {
      console.log("skipped: /dev/full is not available here to simulate a full disk")
      return
    }
    const { staging, archive } = await place(gzipSync(tarBytes(members())))
    // Writes to /dev/full fail with ENOSPC, as on a full filesystem.
    await symlink("/dev/full", join(staging, GENERATION_RULES, "emerging-scan.rules"))
    const e = await failure(extract(archive, staging, "all", defaultLimits))
    expect(e).not.toBeInstanceOf(ArchiveFault)
    expect(e.message).toBe(`no space left on ${join(staging, GENERATION_RULES)} (writing emerging-scan.rules)`)
    expect((e as NodeJS.ErrnoException).code).toBe("ENOSPC")
  })
})
