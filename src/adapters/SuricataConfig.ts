/**
 * Reads the files the sanitiser's configuration comes from: suricata.yaml with the files it includes, in
 * reading order (the resolution itself is HomeNet.homeNetFromDocuments), and telemetry_sids.txt.
 * Never fails: an absent file is `undefined`, an unreadable one says why.
 */
import { Context, Effect, Layer } from "effect"
import { readFile } from "node:fs/promises"
import { dirname, resolve } from "node:path"
import { type ConfigDocument, includesOf, MAX_INCLUDE_DEPTH } from "../domain/HomeNet.js"

export type FileText =
  | { readonly _tag: "text"; readonly text: string }
  | { readonly _tag: "absent" }
  | { readonly _tag: "unreadable"; readonly reason: string }

export interface SuricataConfigService {
  readonly read: (path: string) => Effect.Effect<FileText>
}

export class SuricataConfig extends Context.Tag("etpro/SuricataConfig")<SuricataConfig, SuricataConfigService>() {}

const reasonOf = (code: string | undefined) =>
  code === "EISDIR" ? "a directory" : code === "EACCES" ? "permission denied" : (code ?? "unreadable")

export const layer = Layer.succeed(SuricataConfig, {
  read: (path) =>
    Effect.promise(() =>
      readFile(path, "utf8").then(
        (text): FileText => ({ _tag: "text", text }),
        (e: NodeJS.ErrnoException): FileText =>
          e.code === "ENOENT" ? { _tag: "absent" } : { _tag: "unreadable", reason: reasonOf(e.code) }
      )
    )
})

/** Files held in memory: a string is a file, an Error an unreadable one, a missing key an absent one. */
export const layerStatic = (files: Readonly<Record<string, string | Error>>) =>
  Layer.succeed(SuricataConfig, {
    read: (path) =>
      Effect.sync((): FileText => {
        const f = files[path]
        return f === undefined ? { _tag: "absent" } : typeof f === "string" ? { _tag: "text", text: f } : { _tag: "unreadable", reason: f.message }
      })
  })

/**
 * suricata.yaml and its includes, depth first in reading order (relative includes resolve against the
 * including file's folder); `undefined` when suricata.yaml itself is absent. A cycle, a depth past
 * MAX_INCLUDE_DEPTH or an include that cannot be read becomes a document with a `problem`.
 */
export const includeTree = (mainPath: string) =>
  Effect.gen(function* () {
    const cfg = yield* SuricataConfig
    const docs: Array<ConfigDocument> = []
    const visit = (path: string, chain: ReadonlyArray<string>): Effect.Effect<boolean> =>
      Effect.gen(function* () {
        if (chain.includes(path)) return docs.push({ path, problem: `includes itself (${[...chain, path].join(" → ")})` }) > 0
        if (chain.length > MAX_INCLUDE_DEPTH) return docs.push({ path, problem: `includes nested deeper than ${MAX_INCLUDE_DEPTH}` }) > 0
        const f = yield* cfg.read(path)
        if (f._tag === "absent") {
          if (chain.length === 0) return false
          return docs.push({ path, problem: "included but not found" }) > 0
        }
        if (f._tag === "unreadable") return docs.push({ path, problem: `cannot be read (${f.reason})` }) > 0
        docs.push({ path, text: f.text })
        const inc = includesOf(f.text)
        if (inc.problem !== undefined) docs.push({ path, problem: inc.problem })
        for (const i of inc.includes) yield* visit(resolve(dirname(path), i), [...chain, path])
        return true
      })
    const found = yield* visit(resolve(mainPath), [])
    return found ? (docs as ReadonlyArray<ConfigDocument>) : undefined
  })
