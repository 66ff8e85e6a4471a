import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { ALLOWED, EveRecord, SanitisedEvent } from "../../src/domain/EveRecord.js"
import { ALLOWED_PATHS } from "../support/Allowed.js"

describe("EveRecord schemas", () => {
  it("the allow-lists derived from SanitisedEvent are exactly those of SPEC section 3", () => {
    const paths = new Set([
      ...ALLOWED.top,
      ...ALLOWED.alert.map((k) => `alert.${k}`),
      ...ALLOWED.endpoint.flatMap((k) => [`alert.source.${k}`, `alert.target.${k}`]),
      ...ALLOWED.http.map((k) => `http.${k}`),
      ...ALLOWED.tls.map((k) => `tls.${k}`),
      ...ALLOWED.ja3.flatMap((k) => [`tls.ja3.${k}`, `tls.ja3s.${k}`])
    ])
    expect([...paths].sort()).toEqual([...ALLOWED_PATHS].sort())
  })

  it("the input schema is lenient: unknown keys survive decoding for the sanitiser to judge", () => {
    const r = Schema.decodeUnknownEither(EveRecord)({ event_type: "alert", payload: "x", flow: { age: 1 } })
    expect(Either.getOrThrow(r)).toEqual({ event_type: "alert", payload: "x", flow: { age: 1 } })
  })

  it("the output schema rejects any key outside the allow-lists", () => {
    const validate = Schema.validateEither(SanitisedEvent, { onExcessProperty: "error" })
    expect(Either.isRight(validate({ alert: { signature_id: 1, source: { ip: "xxx.xxx.xxx.1", port: 1 } } }))).toBe(true)
    expect(Either.isLeft(validate({ payload: "x" }))).toBe(true)
    expect(Either.isLeft(validate({ alert: { signature: "x" } }))).toBe(true)
    expect(Either.isLeft(validate({ alert: { source: { ip: "x", mac: "y" } } }))).toBe(true)
    expect(Either.isLeft(validate({ http: { url: "/" } }))).toBe(true)
    expect(Either.isLeft(validate({ tls: { ja3: { hash: "h", extra: 1 } } }))).toBe(true)
  })
})
