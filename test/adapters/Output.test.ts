/**
 * `outLines` (dump's batches) writes what `out` of the joined lines writes: the same printable JSON text,
 * byte for byte, whatever the lines hold (issue 24 row 1's classes: controls, bidi and zero-width format
 * characters, line separators, lone surrogates, and plain non-ASCII text that stays).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc } from "effect"
import { CapturedOutput, layerTest, Output } from "../../src/adapters/Output.js"

const capture = (write: (o: Output["Type"]) => Effect.Effect<void>) =>
  Effect.runSync(
    Effect.gen(function* () {
      yield* write(yield* Output)
      return (yield* CapturedOutput).stdout
    }).pipe(Effect.provide(layerTest()))
  )

describe("Output.outLines", () => {
  it("writes nothing for no line, and each line ended by a newline", () => {
    expect(capture((o) => o.outLines([]))).toEqual([])
    expect(capture((o) => o.outLines(['{"a":1}', "", '{"b":"é"}']))).toEqual(['{"a":1}\n\n{"b":"é"}\n'])
  })

  it("escapes what out escapes", () => {
    const lines = ['{"t":"\u001b[2J"}', '{"t":"a\u202eb\u200bc\u2028"}', '{"t":"\ud800x"}', '{"t":"\udc00"}']
    const [text] = capture((o) => o.outLines(lines))
    expect(text).not.toMatch(/[\u001b\u202e\u200b\u2028\ud800-\udfff]/)
    expect(text).toContain("\\u202e")
  })

  it("equals out of the joined lines on any text", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "binary", maxLength: 40 }), { maxLength: 6 }), (lines) => {
        const viaLines = capture((o) => o.outLines(lines))
        const viaOut = lines.length === 0 ? [] : capture((o) => o.out(`${lines.join("\n")}\n`))
        expect(viaLines).toEqual(viaOut)
      }),
      { numRuns: 2000 }
    )
  })
})
