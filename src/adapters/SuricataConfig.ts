/**
 * Reads the files the sanitiser's configuration comes from: suricata.yaml with the files it includes (loaded
 * as Suricata loads them by domain/SuricataYaml.ts, which asks for each file it meets), and telemetry_sids.txt.
 * Never fails: an absent file is `absent`, an unreadable one says why.
 */
import { Context, Effect, Layer } from "effect"
import { NotRegularFile, readOwnText } from "./AtomicFile.js"
import { resolve } from "node:path"
import { type ConfigLoad, type FileText, loadSuricataConfig } from "../domain/SuricataYaml.js"

export type { FileText } from "../domain/SuricataYaml.js"

export interface SuricataConfigService {
  readonly read: (path: string) => Effect.Effect<FileText>
}

export class SuricataConfig extends Context.Tag("etpro/SuricataConfig")<SuricataConfig, SuricataConfigService>() {}

const reasonOf = (code: string | undefined) =>
  code === "EISDIR" ? "a directory" : code === "EACCES" ? "permission denied" : (code ?? "unreadable")

export const layer = Layer.succeed(SuricataConfig, {
  // Synchronous, never blocking (O_NONBLOCK, then fstat: ./AtomicFile.ts): `run` reads these every minute with
  // alerts, and through the thread pool a read cost several times the CPU (issue 22).
  read: (path) =>
    Effect.sync((): FileText => {
      try {
        const text = readOwnText(path)
        return text === undefined ? { _tag: "absent" } : { _tag: "text", text }
      } catch (e) {
        return { _tag: "unreadable", reason: e instanceof NotRegularFile ? e.why : reasonOf((e as NodeJS.ErrnoException).code) }
      }
    })
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

/** A bound on the files one configuration may name (each read once). */
const MAX_FILES = 256

/**
 * suricata.yaml (made absolute) and its includes, loaded as Suricata would: `absent` when suricata.yaml
 * itself is absent, `failed` (with why) when any part cannot be understood.
 */
export const loadConfig = (mainPath: string) =>
  Effect.gen(function* () {
    const cfg = yield* SuricataConfig
    const main = resolve(mainPath)
    const files = new Map<string, FileText>()
    for (;;) {
      const r: ConfigLoad = loadSuricataConfig(main, files)
      if (r._tag !== "need") return r
      if (files.size >= MAX_FILES) return { _tag: "failed", reason: `${main} names more than ${MAX_FILES} files` } satisfies ConfigLoad
      files.set(r.path, yield* cfg.read(resolve(r.path)))
    }
  })
