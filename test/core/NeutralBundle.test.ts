/**
 * Runtime-neutral: the entry and everything it imports (the domain, effect, yaml) bundle with esbuild's
 * `--platform=neutral`, which cannot resolve a Node built-in, and the bundle runs in a V8 context holding only
 * what a Worker, Deno or Bun gives (no process, require, Buffer, global, setImmediate): there it sanitises
 * the sample eve lines as Node does and answers a real Request.
 */
import { describe, expect, it } from "@effect/vitest"
import { build } from "esbuild"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { createContext, runInContext } from "node:vm"
import { sanitiseLine } from "etpro-telemetry/core"
import { REPO } from "../support/BuiltCli.js"

/** The neutral bundle as an IIFE (`core`: the entry's exports, and Effect's runtime to run its programs). */
const bundle = async (contents: string) => {
  const out = await build({
    stdin: { contents, resolveDir: REPO, loader: "ts" },
    bundle: true,
    platform: "neutral",
    format: "iife",
    globalName: "core",
    write: false,
    metafile: true,
    logLevel: "silent"
  })
  // The modules that put code into the bundle (effect's index names more, which the bundler drops).
  inputs = Object.entries(Object.values(out.metafile.outputs)[0]!.inputs).flatMap(([path, i]) => (i.bytesInOutput > 0 ? [path] : []))
  return out.outputFiles[0]!.text
}
let inputs: Array<string> = []

/** A context with the Web platform's globals only. */
const webContext = () =>
  createContext({
    Request, Response, Headers, ReadableStream, TextEncoder, TextDecoder, URL, URLSearchParams, AbortController, AbortSignal,
    setTimeout, clearTimeout, queueMicrotask, console, structuredClone, crypto: globalThis.crypto, performance: globalThis.performance
  })

const FIXTURE = readFileSync(join(REPO, "fixtures/sample/eve.json"), "utf8")
const HOME = ["192.168.0.0/16", "2001:db8::/32"]

describe("etpro-telemetry/core is runtime-neutral", () => {
  it("bundles with --platform=neutral, and a Node built-in anywhere in it would not", async () => {
    const code = await bundle(`export * from "./src/core/index.ts"`)
    expect(code).not.toMatch(/\brequire\(["']/)
    // A test library has no place in a serverless function (effect's Schema brings fast-check along).
    expect(inputs.filter((i) => /fast-check|pure-rand/.test(i))).toEqual([])
    expect(inputs.some((i) => i.includes("src/domain/Outbound.ts"))).toBe(true)
    // The check can fail: the same bundling refuses an entry that reaches node:fs.
    await expect(bundle(`export * from "./src/core/index.ts"; export { readFileSync } from "node:fs"`)).rejects.toThrow(/node:fs/)
  })

  it("runs without Node's globals: sanitises as in Node, answers a Request, runs an Effect program", async () => {
    const code = await bundle(`export * from "./src/core/index.ts"; export { Effect } from "effect"`)
    const ctx = webContext()
    runInContext(code, ctx)
    expect(runInContext("[typeof process, typeof require, typeof Buffer, typeof global, typeof setImmediate]", ctx)).toEqual(
      Array(5).fill("undefined")
    )
    const core = (ctx as { core: typeof import("etpro-telemetry/core") & { Effect: typeof import("effect").Effect } }).core
    const lines = FIXTURE.split("\n").filter((l) => l !== "")
    const there = lines.map((l) => core.sanitiseLine(l, { homeNet: HOME }))
    expect(there).toEqual(lines.map((l) => sanitiseLine(l, { homeNet: HOME })))
    expect(there.filter((r) => r.kind === "event").length).toBeGreaterThan(50)

    const r = await core.eveHandler({ homeNet: HOME })(
      new Request("https://collector.example/", { method: "POST", headers: { "content-type": "application/x-ndjson" }, body: FIXTURE })
    )
    expect(r.status).toBe(200)
    expect((await r.text()).split("\n").length - 1).toBe(there.filter((x) => x.kind === "event").length)

    const hb = await core.Effect.runPromise(core.assembleHeartbeatEffect({ suricataVersion: "7.0.6" }))
    expect(hb.suricata_version).toBe("7.0.6")
    const viaEffect = await core.Effect.runPromise(core.sanitiseLineEffect(lines[1]!, { homeNet: HOME }))
    expect(viaEffect).toEqual(there[1])
  })
})
