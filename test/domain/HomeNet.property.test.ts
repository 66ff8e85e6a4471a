/**
 * Property tests for the configuration the sanitiser reads (issue 10, classes 4 and 5): generated
 * suricata.yaml include trees (the last HOME_NET definition in reading order wins, wherever it sits) and
 * generated telemetry_sids.txt files with comments.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc } from "effect"
import * as SuricataConfig from "../../src/adapters/SuricataConfig.js"
import { homeNetFromDocuments } from "../../src/domain/HomeNet.js"
import { parseIp } from "../../src/domain/Ip.js"
import { makeNetworkSet } from "../../src/domain/Network.js"
import { parseTelemetrySids } from "../../src/domain/TelemetrySids.js"

interface FileSpec {
  readonly home: string | undefined
  readonly dotted: boolean
  readonly includes: ReadonlyArray<number>
}

/** Each file may define HOME_NET as one /24 (its index), and includes only later files (no cycles). */
const tree = fc.integer({ min: 1, max: 6 }).chain((n) =>
  fc.tuple(
    ...Array.from({ length: n }, (_, i) =>
      fc.record({
        home: fc.option(fc.constant(`198.51.${i}.0/24`), { nil: undefined }),
        dotted: fc.boolean(),
        includes: fc.subarray(Array.from({ length: n - i - 1 }, (_, k) => i + 1 + k))
      })
    )
  )
)

const text = (f: FileSpec) => {
  const inc = f.includes.length === 0 ? "" : f.includes.length === 1 ? `include: f${f.includes[0]}.yaml\n` : `include: [${f.includes.map((i) => `f${i}.yaml`).join(", ")}]\n`
  const home = f.home === undefined ? "" : f.dotted ? `vars.address-groups.HOME_NET: "${f.home}"\n` : `vars:\n  address-groups:\n    HOME_NET: "[${f.home}]"\n`
  return `${home}${inc}`
}

describe("HOME_NET include trees", () => {
  it("the definition read last (depth first, in include order) wins; none at all fails closed", () => {
    fc.assert(
      fc.property(tree, (specs) => {
        const files: Record<string, string> = {}
        specs.forEach((f, i) => (files[i === 0 ? "/s/suricata.yaml" : `/s/f${i}.yaml`] = text(f)))
        const docs = Effect.runSync(
          SuricataConfig.includeTree("/s/suricata.yaml").pipe(Effect.provide(SuricataConfig.layerStatic(files)))
        )!
        // The reading order, computed independently.
        const order: Array<number> = []
        const visit = (i: number) => {
          order.push(i)
          specs[i]!.includes.forEach(visit)
        }
        visit(0)
        expect(docs.map((d) => d.path)).toEqual(order.map((i) => (i === 0 ? "/s/suricata.yaml" : `/s/f${i}.yaml`)))
        const winner = [...order].reverse().find((i) => specs[i]!.home !== undefined)
        const h = homeNetFromDocuments(docs)
        const set = makeNetworkSet(h.cidrs)
        if (winner === undefined) {
          expect(h.failure).toMatch(/HOME_NET/)
          expect(set.contains(parseIp("8.8.8.8")!)).toBe(true)
        } else {
          expect(h.failure).toBeUndefined()
          specs.forEach((f, i) => expect(set.contains(parseIp(`198.51.${i}.7`)!)).toBe(i === winner))
        }
      }),
      { numRuns: 500 }
    )
  })
})

describe("telemetry_sids.txt", () => {
  const line = fc.oneof(
    fc.integer({ min: 1, max: 99_999_999 }).map((sid) => ({ sid, text: String(sid) })),
    fc.tuple(fc.integer({ min: 1, max: 99_999_999 }), fc.string({ maxLength: 12 })).map(([sid, c]) => ({ sid, text: `${sid} # ${c.replace(/[\r\n]/g, "")}` })),
    fc.tuple(fc.integer({ min: 1, max: 99_999_999 }), fc.constantFrom(" ", "\t", "  ")).map(([sid, ws]) => ({ sid, text: `${ws}${sid}${ws}` })),
    fc.string({ maxLength: 12 }).map((c) => ({ sid: undefined, text: `# ${c.replace(/[\r\n]/g, "")}` })),
    fc.constantFrom("", "   ", "\t").map((text) => ({ sid: undefined, text }))
  )
  it("lists the leading integer of each line; comments and blank lines ignored", () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), fc.constantFrom("\n", "\r\n"), (lines, eol) => {
        const r = parseTelemetrySids(lines.map((l) => l.text).join(eol))
        expect([...r.sids].sort()).toEqual([...new Set(lines.flatMap((l) => (l.sid === undefined ? [] : [l.sid])))].sort())
        expect(r.invalid).toBe(0)
      }),
      { numRuns: 1000 }
    )
  })
})
