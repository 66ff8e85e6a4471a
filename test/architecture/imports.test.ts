/**
 * Fitness test: the imports of src/ flow one way (README, Layout). It reads every import of every source file
 * (static, `export ... from`, and `import("...")`) and fails on the first rule broken, naming the file and the
 * import. The rules:
 *   - src/domain imports only itself and the pure libraries listed here (no I/O, no clock, no process);
 *   - src/core (the library entry `etpro-telemetry/core`) imports only itself, the domain and those libraries:
 *     no `node:*` and no Node built-in, in it or in what it imports (test/core/NeutralBundle.test.ts runs it);
 *   - src/adapters imports the domain and itself, never src/main or src/reference;
 *   - a program (src/main/programs) asks for services and never imports `node:*`; its ring: it imports the
 *     domain, the adapters (their service tags), other programs and src/main's line format (Failure.ts) and
 *     privacy type, never a command, the composition root (layers.ts), the CLI or the web page; it builds no
 *     layer (layers are chosen in src/main/layers.ts) and names no exit code (the commands map errors to them);
 *   - src/reference (the reference service, its store, the demo) imports the agent's domain and adapters only;
 *   - the agent (everything outside src/reference) never imports src/reference, except the lazy `import()`
 *     of the three commands that start it (service, demo, replay); better-sqlite3 stays in src/reference;
 *   - there is no import circle.
 */
import { describe, expect, it } from "vitest"
import { builtinModules } from "node:module"
import { readdirSync, readFileSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..")
const SRC = join(ROOT, "src")

/** Libraries the domain may use: pure code only. */
const DOMAIN_LIBRARIES = new Set(["effect", "ini", "yaml"])

/** Node's built-in modules, as named without `node:` (`fs`, `fs/promises`, `process`...). */
const NODE_BUILTINS = new Set(builtinModules.map((m) => m.split("/")[0]!))

/** The commands that start the reference side; only they may load it, and only lazily. */
const REFERENCE_ENTRIES = new Set(["main/commands/ServiceCommand.ts", "main/commands/DemoCommand.ts", "main/commands/ReplayCommand.ts"])

/** Programs that still reach the process directly (none left: signals and the reload are the Processes service's). */
const PROGRAMS_WITH_NODE: ReadonlyMap<string, string> = new Map()

/** What a program may import from src/main besides other programs. */
const PROGRAM_RING = new Set(["main/Failure.ts", "main/Privacy.ts"])

/** Programs that still name exit codes: SendEvents.ts, being rewritten as the delivery state machine (issue 22). */
const PROGRAMS_WITH_EXIT_CODES = new Set<string>([])

/** Layer constructors and combinators: a program may use a layer it is given (Layer.build), never make one. */
const MAKES_LAYER = /\bLayer\.(?:succeed|sync|effect|scoped|merge|mergeAll|provide|provideMerge|unwrapEffect|unwrapScoped|fail|empty)\b/

interface Import {
  readonly spec: string
  readonly lazy: boolean
  /** The file it names, relative to src/, for a relative import. */
  readonly target: string | undefined
}

const files = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []
  )

const STATIC = /^\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|^\s*import\s+["']([^"']+)["']/gm
const LAZY = /\bimport\(\s*["']([^"']+)["']\s*\)/g

const importsOf = (file: string): Array<Import> => {
  const text = readFileSync(file, "utf8")
  const found: Array<Import> = []
  const add = (spec: string, lazy: boolean) =>
    found.push({
      spec,
      lazy,
      target: spec.startsWith(".") ? relative(SRC, resolve(dirname(file), spec)).replace(/\.js$/, ".ts") : undefined
    })
  for (const m of text.matchAll(STATIC)) add((m[1] ?? m[2])!, false)
  for (const m of text.matchAll(LAZY)) add(m[1]!, true)
  return found
}

const graph = new Map(files(SRC).map((f) => [relative(SRC, f), importsOf(f)]))
const edges = [...graph].flatMap(([from, imports]) => imports.map((i) => ({ from, ...i })))
const show = (e: { from: string; spec: string }) => `src/${e.from} imports ${e.spec}`
const packageOf = (spec: string) => (spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!)

describe("the import graph of src/", () => {
  it("was read (every relative import names a source file)", () => {
    expect(graph.size).toBeGreaterThan(50)
    const dangling = edges.filter((e) => e.target !== undefined && !graph.has(e.target)).map(show)
    expect(dangling).toEqual([])
  })

  it("src/domain imports only itself and pure libraries", () => {
    const bad = edges.filter(
      (e) =>
        e.from.startsWith("domain/") &&
        (e.target !== undefined ? !e.target.startsWith("domain/") : !DOMAIN_LIBRARIES.has(packageOf(e.spec)))
    )
    expect(bad.map(show)).toEqual([])
  })

  it("src/domain and src/core never import a Node built-in, with or without `node:`", () => {
    const bad = edges.filter((e) => /^(domain|core)\//.test(e.from) && (e.spec.startsWith("node:") || NODE_BUILTINS.has(packageOf(e.spec))))
    expect(bad.map(show)).toEqual([])
    expect(NODE_BUILTINS.has("fs")).toBe(true)
  })

  it("src/core imports only itself, the domain and pure libraries", () => {
    const bad = edges.filter(
      (e) =>
        e.from.startsWith("core/") &&
        (e.target !== undefined ? !/^(core|domain)\//.test(e.target) : !DOMAIN_LIBRARIES.has(packageOf(e.spec)))
    )
    expect(bad.map(show)).toEqual([])
    // Nothing of the agent imports the library entry: it is for users, and the agent uses the domain.
    expect(edges.filter((e) => !e.from.startsWith("core/") && e.target?.startsWith("core/") === true).map(show)).toEqual([])
  })

  it("src/adapters never imports src/main or src/reference", () => {
    const bad = edges.filter(
      (e) => e.from.startsWith("adapters/") && e.target !== undefined && !/^(domain|adapters)\//.test(e.target)
    )
    expect(bad.map(show)).toEqual([])
  })

  it("programs never import node:*", () => {
    const bad = edges.filter(
      (e) => e.from.startsWith("main/programs/") && e.spec.startsWith("node:") && PROGRAMS_WITH_NODE.get(e.from) !== e.spec
    )
    expect(bad.map(show)).toEqual([])
    // The list of exceptions only shrinks: an exception no longer needed must go.
    for (const [from, spec] of PROGRAMS_WITH_NODE) expect(edges.some((e) => e.from === from && e.spec === spec)).toBe(true)
  })

  it("programs stay in their ring: domain, adapters, programs, the line format; no command, layers.ts, CLI or web", () => {
    const bad = edges.filter(
      (e) =>
        e.from.startsWith("main/programs/") &&
        e.target !== undefined &&
        !/^(domain|adapters|main\/programs)\//.test(e.target) &&
        !PROGRAM_RING.has(e.target)
    )
    expect(bad.map(show)).toEqual([])
  })

  it("programs build no layer and name no exit code", () => {
    const programs = [...graph.keys()].filter((f) => f.startsWith("main/programs/"))
    expect(programs.length).toBeGreaterThan(5)
    const text = (f: string) => readFileSync(join(SRC, f), "utf8")
    expect(programs.filter((f) => MAKES_LAYER.test(text(f))).map((f) => `src/${f} makes a layer`)).toEqual([])
    const naming = programs.filter((f) => /\b(?:ExitCode|CliFailure)\b/.test(text(f)))
    expect(naming.filter((f) => !PROGRAMS_WITH_EXIT_CODES.has(f)).map((f) => `src/${f} names an exit code`)).toEqual([])
    // The list of exceptions only shrinks.
    for (const f of PROGRAMS_WITH_EXIT_CODES) expect(naming, f).toContain(f)
  })

  it("src/reference imports only the agent's domain and adapters, and itself", () => {
    const bad = edges.filter(
      (e) => e.from.startsWith("reference/") && e.target !== undefined && !/^(domain|adapters|reference)\//.test(e.target)
    )
    expect(bad.map(show)).toEqual([])
  })

  it("the agent never imports src/reference, but for the lazy import of the commands that start it", () => {
    const bad = edges.filter(
      (e) =>
        !e.from.startsWith("reference/") &&
        e.target?.startsWith("reference/") === true &&
        !(e.lazy && REFERENCE_ENTRIES.has(e.from))
    )
    expect(bad.map(show)).toEqual([])
  })

  it("better-sqlite3 is loaded by the reference side only", () => {
    const bad = edges.filter((e) => packageOf(e.spec) === "better-sqlite3" && !e.from.startsWith("reference/"))
    expect(bad.map(show)).toEqual([])
  })

  it("has no import circle", () => {
    const circles: Array<string> = []
    const state = new Map<string, "open" | "done">()
    const visit = (file: string, path: Array<string>) => {
      if (state.get(file) === "done") return
      if (state.get(file) === "open") {
        circles.push([...path.slice(path.indexOf(file)), file].map((f) => `src/${f}`).join(" -> "))
        return
      }
      state.set(file, "open")
      for (const i of graph.get(file) ?? []) if (i.target !== undefined && graph.has(i.target)) visit(i.target, [...path, file])
      state.set(file, "done")
    }
    for (const file of graph.keys()) visit(file, [])
    expect(circles).toEqual([])
  })
})
