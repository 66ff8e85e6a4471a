import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { make, setTokenInText, tokenFromText } from "../../src/adapters/RuleUpdaterConfig.js"

const cfg = make()
const tmp = () => Effect.promise(() => mkdtemp(join(tmpdir(), "ruc-")))
const write = (p: string, t: string) => Effect.promise(() => writeFile(p, t))
const SECRET = "s3cr3tTok"

const reasonOf = (path: string, text: string) => {
  const r = tokenFromText(path, text)
  return Either.isLeft(r) ? r.left : undefined
}

describe("reading the token", () => {
  it.effect("reads et_telemetry.token from [__properties__]", () =>
    Effect.gen(function* () {
      const dir = yield* tmp()
      const p = join(dir, "rule-updater.config")
      yield* write(p, `[__properties__]\nrule_updater.enabled = 1\net_telemetry.token = ${SECRET}\n[other]\net_telemetry.token = wrong\n`)
      const t = yield* cfg.readToken(p)
      expect(t).toEqual({ token: SECRET, trimmed: false, warnings: [] })
    })
  )

  it.effect("a missing file, section, key and an empty value each get their own message, without the token", () =>
    Effect.gen(function* () {
      const dir = yield* tmp()
      const p = join(dir, "rule-updater.config")
      const missing = yield* Effect.flip(cfg.readToken(p))
      expect(missing.reason).toBe("NoFile")
      expect(missing.message).toContain(p)
      const cases: Array<[string, string]> = [
        ["[general]\na = 1\n", "NoSection"],
        ["[__properties__]\na = 1\n", "NoKey"],
        ["[__properties__]\net_telemetry.token =\n", "Empty"],
        ["[__properties__]\net_telemetry.token =    \n", "Empty"],
        [`[__properties__]\net_telemetry.token = ${SECRET} x\n`, "Malformed"]
      ]
      const messages = new Map<string, string>()
      for (const [text, reason] of cases) {
        const e = reasonOf(p, text)
        expect(e?.reason).toBe(reason)
        expect(e?.message).toContain(p)
        expect(e?.message).not.toContain(SECRET)
        messages.set(reason, e!.message)
      }
      // One message for each kind of problem.
      expect(new Set(messages.values()).size).toBe(new Set(cases.map(([, r]) => r)).size)
      expect(missing.message).not.toBe(messages.get("NoSection"))
    })
  )

  it("trims leading/trailing whitespace with a warning that says so", () => {
    for (const text of [
      `[__properties__]\net_telemetry.token = ${SECRET}   \n`,
      `[__properties__]\net_telemetry.token = "  ${SECRET}"\n`,
      `[__properties__]\net_telemetry.token =\t${SECRET}\r\n`
    ]) {
      const r = tokenFromText("/c", text)
      expect(Either.isRight(r)).toBe(true)
      if (Either.isLeft(r)) continue
      expect(r.right.token).toBe(SECRET)
      expect(r.right.trimmed).toBe(true)
      expect(r.right.warnings.join(" ")).toMatch(/whitespace.*trimmed/)
      expect(r.right.warnings.join(" ")).not.toContain(SECRET)
    }
  })
})

describe("token set", () => {
  it.effect("creates the file 0600 when absent, and reads back", () =>
    Effect.gen(function* () {
      const dir = yield* tmp()
      const p = join(dir, "etc", "rule-updater.config")
      const r = yield* cfg.writeToken(p, ` ${SECRET}\n`)
      expect(r.trimmed).toBe(true)
      const s = yield* Effect.promise(() => stat(p))
      expect(s.mode & 0o777).toBe(0o600)
      expect((yield* cfg.readToken(p)).token).toBe(SECRET)
    })
  )

  it.effect("keeps other keys, comments and the file mode; replaces an old token", () =>
    Effect.gen(function* () {
      const dir = yield* tmp()
      const p = join(dir, "rule-updater.config")
      const before = "# managed by OPNsense\n[__properties__]\nrule_updater.enabled = 1\net_telemetry.token = old\n\n[x]\ny = 2\n"
      yield* write(p, before)
      yield* Effect.promise(() => import("node:fs/promises").then((fs) => fs.chmod(p, 0o640)))
      yield* cfg.writeToken(p, SECRET)
      const after = yield* Effect.promise(() => readFile(p, "utf8"))
      expect(after).toBe(before.replace("et_telemetry.token = old", `et_telemetry.token = ${SECRET}`))
      expect(((yield* Effect.promise(() => stat(p))).mode & 0o777)).toBe(0o640)
    })
  )

  it("adds the key to an existing section, or the section at the end", () => {
    expect(setTokenInText("[__properties__]\na = 1\n\n[b]\nc = 2\n", "T")).toBe(
      "[__properties__]\na = 1\net_telemetry.token = T\n\n[b]\nc = 2\n"
    )
    expect(setTokenInText("[b]\nc = 2\n", "T")).toBe("[b]\nc = 2\n\n[__properties__]\net_telemetry.token = T\n")
    expect(setTokenInText("[b]\r\nc = 2\r\n", "T")).toBe("[b]\r\nc = 2\r\n\r\n[__properties__]\r\net_telemetry.token = T\r\n")
  })

  it.effect("refuses an empty or malformed token and leaves the file alone", () =>
    Effect.gen(function* () {
      const dir = yield* tmp()
      const p = join(dir, "rule-updater.config")
      yield* write(p, "[__properties__]\net_telemetry.token = keep\n")
      expect((yield* Effect.flip(cfg.writeToken(p, "  "))).reason).toBe("Empty")
      const bad = yield* Effect.flip(cfg.writeToken(p, "a;b"))
      expect(bad.reason).toBe("Malformed")
      expect(bad.message).not.toContain("a;b")
      expect((yield* cfg.readToken(p)).token).toBe("keep")
    })
  )
})
