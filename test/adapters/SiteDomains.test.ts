/** The SiteDomains adapter reads config.xml and resolv.conf under a root (a real temporary tree). */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { mkdir, writeFile } from "node:fs/promises"
import { join } from "node:path"
import * as SiteDomains from "../../src/adapters/SiteDomains.js"
import { tempDir } from "../support/TempDir.js"

const domainsUnder = (root: string) => Effect.flatMap(SiteDomains.SiteDomains, (s) => s.domains).pipe(Effect.provide(SiteDomains.layer(root)))

describe("SiteDomains", () => {
  it.scoped("reads system/domain and resolv.conf's search/domain, each once, naming the file", () =>
    Effect.gen(function* () {
      const root = yield* tempDir()
      yield* Effect.promise(async () => {
        await mkdir(join(root, "conf"), { recursive: true })
        await mkdir(join(root, "etc"), { recursive: true })
        await writeFile(join(root, "conf/config.xml"), "<opnsense><system><hostname>fw</hostname><domain>acme.example</domain></system></opnsense>")
        await writeFile(join(root, "etc/resolv.conf"), "domain acme.example\nsearch lan.acme.example\n")
      })
      const found = yield* domainsUnder(root)
      expect(found).toEqual([
        { domain: "acme.example", origin: `system/domain in ${join(root, "conf/config.xml")}` },
        { domain: "lan.acme.example", origin: `search/domain in ${join(root, "etc/resolv.conf")}` }
      ])
    }))

  it.scoped("adds nothing when the files are missing", () =>
    Effect.gen(function* () {
      const root = yield* tempDir()
      expect(yield* domainsUnder(root)).toEqual([])
    }))
})
