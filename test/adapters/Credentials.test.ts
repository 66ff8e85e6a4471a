import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Credentials, layer, readToken, writeIniToken, writeOwnToken } from "../../src/adapters/Credentials.js"
import { setTokenInText, tokenFromIni } from "../../src/domain/TokenSource.js"

/** The INI file alone (no token file of the agent's own beside it). */
const cfg = {
  readToken: (p: string) => readToken({ tokenFile: `${p}.absent-token`, ruleUpdaterConfig: p }),
  writeToken: writeIniToken
}
const tmp = () => Effect.promise(() => mkdtemp(join(tmpdir(), "ruc-")))
const write = (p: string, t: string) => Effect.promise(() => writeFile(p, t))
const SECRET = "s3cr3tTok"

const reasonOf = (path: string, text: string) => {
  const r = tokenFromIni(path, text)
  return "problem" in r ? r.problem : undefined
}

describe("reading the token", () => {
  it.effect("reads et_telemetry.token from [__properties__]", () =>
    Effect.gen(function* () {
      const dir = yield* tmp()
      const p = join(dir, "rule-updater.config")
      yield* write(p, `[__properties__]\nrule_updater.enabled = 1\net_telemetry.token = ${SECRET}\n[other]\net_telemetry.token = wrong\n`)
      const t = yield* cfg.readToken(p)
      expect(t).toEqual({ token: SECRET, source: p, trimmed: false, warnings: [] })
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
      const r = tokenFromIni("/c", text)
      expect("ok" in r).toBe(true)
      if (!("ok" in r)) continue
      expect(r.ok.token).toBe(SECRET)
      expect(r.ok.trimmed).toBe(true)
      expect(r.ok.warnings.join(" ")).toMatch(/whitespace.*trimmed/)
      expect(r.ok.warnings.join(" ")).not.toContain(SECRET)
    }
  })
})

describe("token set --config FILE", () => {
  it.effect("creates the file 0600 when absent, and reads back", () =>
    Effect.gen(function* () {
      const dir = yield* tmp()
      const p = join(dir, "rule-updater.config")
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
      const before = "# edited by hand\n[__properties__]\nrule_updater.enabled = 1\net_telemetry.token = old\n\n[x]\ny = 2\n"
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

describe("the agent's own token file", () => {
  const pathsIn = (dir: string) => ({ tokenFile: join(dir, "etpro-telemetry", "token"), ruleUpdaterConfig: join(dir, "rule-updater.config") })

  it.effect("is read before rule-updater.config, which stays the fallback", () =>
    Effect.gen(function* () {
      const dir = yield* tmp()
      const paths = pathsIn(dir)
      yield* write(paths.ruleUpdaterConfig, `[__properties__]\net_telemetry.token = fromIni\n`)
      expect(yield* readToken(paths)).toMatchObject({ token: "fromIni", source: paths.ruleUpdaterConfig })
      yield* writeOwnToken(paths.tokenFile, dir, `${SECRET}`)
      expect((yield* Effect.promise(() => stat(paths.tokenFile))).mode & 0o777).toBe(0o600)
      expect(yield* Effect.promise(() => readFile(paths.tokenFile, "utf8"))).toBe(`${SECRET}\n`)
      expect(yield* readToken(paths)).toEqual({ token: SECRET, source: paths.tokenFile, trimmed: false, warnings: [] })
    })
  )

  it.effect("neither file: NoFile naming both; a broken own file is not skipped", () =>
    Effect.gen(function* () {
      const dir = yield* tmp()
      const paths = pathsIn(dir)
      const none = yield* Effect.flip(readToken(paths))
      expect(none.reason).toBe("NoFile")
      expect(none.message).toContain(paths.tokenFile)
      expect(none.message).toContain(paths.ruleUpdaterConfig)
      yield* write(paths.ruleUpdaterConfig, `[__properties__]\net_telemetry.token = fromIni\n`)
      yield* Effect.promise(() => import("node:fs/promises").then((fs) => fs.mkdir(join(dir, "etpro-telemetry"))))
      yield* write(paths.tokenFile, "two words\n")
      expect((yield* Effect.flip(readToken(paths))).reason).toBe("Malformed")
    })
  )

  it.effect("is created only under a directory that exists", () =>
    Effect.gen(function* () {
      const dir = yield* tmp()
      const e = yield* Effect.flip(writeOwnToken(join(dir, "no", "etpro-telemetry", "token"), join(dir, "no"), SECRET))
      expect(e.reason).toBe("NotWritable")
      expect(e.message).toContain("does not exist")
    })
  )

  it.effect("redaction knows the token once it was read; the read happens once", () =>
    Effect.gen(function* () {
      const dir = yield* tmp()
      const paths = pathsIn(dir)
      yield* writeOwnToken(paths.tokenFile, dir, SECRET)
      const creds = yield* Effect.provide(Credentials, layer(paths))
      expect(creds.redact(`x ${SECRET} y`)).toBe(`x ${SECRET} y`)
      yield* creds.token
      expect(creds.redact(`x ${SECRET} y`)).toBe("x *** y")
      yield* writeOwnToken(paths.tokenFile, dir, "other")
      expect((yield* creds.token).token).toBe(SECRET)
    })
  )
})

describe("token set refuses a generated file", () => {
  it.effect("OPNsense's rule-updater.config is left alone, with where the token belongs", () =>
    Effect.gen(function* () {
      const dir = yield* tmp()
      const p = join(dir, "rule-updater.config")
      const before = "#\n# Automatically generated configuration, do not edit\n#\n[__properties__]\nrule_updater.enabled = 1\n"
      yield* write(p, before)
      const e = yield* Effect.flip(writeIniToken(p, SECRET))
      expect(e.reason).toBe("Autogenerated")
      expect(e.message).toContain("Suricata GUI")
      expect(yield* Effect.promise(() => readFile(p, "utf8"))).toBe(before)
      const missing = yield* Effect.flip(writeIniToken(join(dir, "nope", "x.config"), SECRET))
      expect(missing.message).toContain("does not exist")
    })
  )
})
