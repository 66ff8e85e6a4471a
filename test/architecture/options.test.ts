/**
 * Fitness test for issue 22's "one options Schema per command, decoded once": every command module under
 * src/main/commands hands its @effect/cli flags, untouched, to exactly one `decodeFlags(Schema)(flags)` per
 * command it makes, takes that Schema from an options module beside the program that reads it, and reads or
 * checks no flag by hand (no Option unwrapping, no duration, time, address, category or URL parsing: those
 * are the Schemas'). Each options module derives its type from its Schema (`typeof X.Type`) and writes no
 * options interface of its own.
 */
import { describe, expect, it } from "vitest"
import { readdirSync, readFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..")
const COMMANDS = join(ROOT, "src/main/commands")

const commandFiles = readdirSync(COMMANDS).filter((f) => f.endsWith("Command.ts"))
const read = (file: string) => readFileSync(join(COMMANDS, file), "utf8")
/** The code alone: comments and one-line string literals removed (they may say "the flags"). */
const code = (text: string) =>
  text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "").replace(/"(?:[^"\\\n]|\\.)*"/g, '""').replace(/`(?:[^`\\]|\\.)*`/g, "``")

/** What a command module may not do with its flags: the Schemas read and check them. */
const BY_HAND: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bOption\.(?:getOrUndefined|getOrElse|isSome|isNone|none)\b/, "unwraps a flag's Option"],
  [/\bparse(?:Duration|TimeOfDay|ListenAddress|Categories)\(/, "parses a flag's value"],
  [/\bisBaseUrl\(/, "checks a URL flag"],
  [/\bresolvePaths\(o\.(?:root|config)\)|pathsFrom\(/, "resolves paths from raw flags"]
]

/** Where an options Schema may come from: beside the program that reads it. */
const OPTIONS_MODULE = /^(?:\.\.\/programs\/\w+Options|\.\.\/\.\.\/domain\/\w+Options|\.\.\/\.\.\/reference\/\w+Options)\.js$/

describe("one options Schema per command, decoded once", () => {
  it("finds the command modules", () => {
    expect(commandFiles.length).toBeGreaterThanOrEqual(12)
  })

  for (const file of commandFiles) {
    const text = read(file)
    // A command with a handler is `Command.make("name", { flags } | flags, handler)`; a parent (`rules`) has none.
    const made = [...text.matchAll(/Command\.make\(\s*"[^"]+"\s*,/g)].length
    const decodes = [...text.matchAll(/decodeFlags\((\w+)\)\((\w+)\)/g)]

    it(`${file}: one decodeFlags(Schema)(flags) per command`, () => {
      expect(made).toBeGreaterThan(0)
      expect(decodes.length).toBe(made)
      // Every handler names its parameter `flags`, and `flags` is used for nothing but the one decode.
      const handlers = [...text.matchAll(/\(flags\) =>/g)].length
      expect(handlers).toBe(made)
      const uses = [...code(text).matchAll(/\bflags\b/g)].length
      expect(uses).toBe(2 * made)
      for (const d of decodes) expect(d[2]).toBe("flags")
    })

    it(`${file}: its Schemas come from options modules beside their programs`, () => {
      for (const [, schema] of decodes) {
        const statically = new RegExp(`import \\{[^}]*\\b${schema!}\\b[^}]*\\} from "([^"]+)"`).exec(text)?.[1]
        const lazily = new RegExp(`const \\{ ${schema!} \\} = yield\\* Effect\\.promise\\(\\(\\) => import\\("([^"]+)"\\)\\)`).exec(text)?.[1]
        const from = statically ?? lazily
        expect(from, `${schema!} is imported`).toBeDefined()
        expect(from!).toMatch(OPTIONS_MODULE)
      }
    })

    it(`${file}: reads no flag by hand`, () => {
      const found = BY_HAND.filter(([re]) => re.test(text)).map(([, what]) => what)
      expect(found).toEqual([])
    })
  }

  it("each options module derives its type from its Schema and declares no options interface", () => {
    const modules = [
      ...readdirSync(join(ROOT, "src/main/programs")).filter((f) => f.endsWith("Options.ts")).map((f) => `src/main/programs/${f}`),
      ...readdirSync(join(ROOT, "src/reference")).filter((f) => f.endsWith("Options.ts")).map((f) => `src/reference/${f}`),
      "src/domain/CronOptions.ts"
    ]
    expect(modules.length).toBeGreaterThanOrEqual(12)
    for (const m of modules) {
      const text = readFileSync(join(ROOT, m), "utf8")
      const schemas = [...text.matchAll(/^export const (\w+Options) = /gm)].map((x) => x[1]!)
      expect(schemas.length, m).toBeGreaterThan(0)
      for (const s of schemas) expect(text, `${m}: ${s}`).toContain(`export type ${s} = typeof ${s}.Type`)
      expect(text, m).not.toMatch(/export interface \w*Options\b/)
    }
  })

  it("no program or domain module keeps a hand-written options interface beside a Schema", () => {
    const dirs = ["src/main/programs", "src/domain", "src/reference"]
    const interfaces = dirs.flatMap((d) =>
      readdirSync(join(ROOT, d))
        .filter((f) => f.endsWith(".ts"))
        .flatMap((f) => [...readFileSync(join(ROOT, d, f), "utf8").matchAll(/^export interface (\w+Options)\b/gm)].map((x) => `${d}/${f}: ${x[1]}`))
    )
    // What remains is not a command's options: the delivery-run driver's and the domain's pure inputs.
    expect(interfaces.filter((i) => !ALLOWED_INTERFACES.has(i))).toEqual([])
  })
})

/** Options interfaces that describe no command's flags (a program's internal knobs, a pure function's input). */
const ALLOWED_INTERFACES = new Set<string>([
  // `dump --sent`'s window, computed by the command from the decoded `since` and the clock.
  "src/main/programs/DumpSent.ts: DumpSentOptions",
  // The scheduler's plan, stop signal and limits, computed by `run` from its decoded options.
  "src/main/programs/RunAgent.ts: RunAgentOptions",
  // A pure function's input (the selection of one eve record).
  "src/domain/Select.ts: SelectOptions",
  // The reference service's HTTP server.
  "src/reference/HttpServer.ts: ServeOptions"
])
