/**
 * The pieces each command's options Schema is made of (issue 22: one options Schema per command, decoded once).
 * The encoded side of each is a flag's value as @effect/cli hands it over (a string, a boolean, an Option for a
 * flag without a default); the decoded side is what a program reads (milliseconds, a literal, a path or
 * undefined). A failure's message is the operator's line after `emergingthreats: <command>: `, as the commands
 * said it before the Schemas (README, exit 2).
 */
import { Option, ParseResult, Schema } from "effect"
import { isBaseUrl } from "./BaseUrl.js"
import { DELIVERY_POLICIES } from "./Delivery.js"
import { parseDuration } from "./Duration.js"
import { parseListenAddress } from "./ListenAddress.js"
import { parseCategories } from "./RulesPlan.js"
import { parseTimeOfDay } from "./Schedule.js"

/** A decode-only transformation: options are read from flags, never written back. */
export const decodeOnly = <To extends Schema.Schema.Any, From extends Schema.Schema.Any>(
  from: From,
  to: To,
  decode: (value: Schema.Schema.Type<From>) => string | { readonly ok: Schema.Schema.Encoded<To> }
) =>
  Schema.transformOrFail(from, to, {
    strict: true,
    decode: (value, _, ast) => {
      const r = decode(value)
      return typeof r === "string" ? ParseResult.fail(new ParseResult.Type(ast, value, r)) : ParseResult.succeed(r.ok)
    },
    encode: (value, _, ast) => ParseResult.fail(new ParseResult.Forbidden(ast, value, "options are not encoded back to flags"))
  })

/** A flag without a default: @effect/cli's Option, read as the value or undefined. */
export const OptionalText = Schema.transform(Schema.OptionFromSelf(Schema.String), Schema.UndefinedOr(Schema.String), {
  strict: true,
  decode: Option.getOrUndefined,
  encode: Option.fromNullable
})

/** A number flag without a default (`--speed N`). */
export const OptionalNumber = Schema.transform(Schema.OptionFromSelf(Schema.Number), Schema.UndefinedOr(Schema.Number), {
  strict: true,
  decode: Option.getOrUndefined,
  encode: Option.fromNullable
})

/** A path flag: undefined leaves the default under `--root` (domain/Paths.ts resolves it). A command without the flag has no key. */
export const PathFlag = Schema.optionalWith(OptionalText, { exact: true })

/** `--root`, `--config`, `--suricata-yaml`, `--log`, `--state`: those a command declares (domain/Paths.ts PathOverrides). */
export const pathFields = { root: OptionalText, config: PathFlag, suricataYaml: PathFlag, log: PathFlag, state: PathFlag }

/** A positive duration in milliseconds (`90s`, `5m`); the hint lists examples for the message. */
export const durationMs = (flag: string, hint: string) =>
  decodeOnly(Schema.String, Schema.Positive, (text) => {
    const ms = parseDuration(text)
    return ms !== undefined && ms > 0 ? { ok: ms } : `${flag} ${JSON.stringify(text)} is not a duration (${hint})`
  })

/** `--max-age DURATION|off` (send-events, run, replay): milliseconds, or undefined for off. */
export const MaxAgeMs = decodeOnly(Schema.String, Schema.UndefinedOr(Schema.Positive), (text) => {
  if (text === "off") return { ok: undefined }
  const ms = parseDuration(text)
  return ms !== undefined && ms > 0 ? { ok: ms } : `--max-age ${JSON.stringify(text)} is not a duration (90s, 30m, 1h, 2d) or off`
})

/** `--base-url URL`: an http(s) URL. */
export const BaseUrl = decodeOnly(Schema.String, Schema.String, (text) =>
  isBaseUrl(text) ? { ok: text } : `--base-url ${JSON.stringify(text)} is not an http(s) URL`
)

/** `--delivery skip|at-least-once` (domain/Delivery.ts). */
export const Delivery = Schema.Literal(...DELIVERY_POLICIES)

/** How to reach the service: `--timeout` (checked first, as before), `--base-url`, `--insecure`. */
export const serviceFields = {
  timeoutMs: Schema.propertySignature(durationMs("--timeout", "5s, 90s, 2m")).pipe(Schema.fromKey("timeout")),
  baseUrl: BaseUrl,
  insecure: Schema.Boolean
}

/** The service's settings as decoded: `{ timeoutMs, baseUrl, insecure }`. */
export const ServiceConnection = Schema.Struct(serviceFields)
export type ServiceConnection = typeof ServiceConnection.Type

/** `--root`, `--config`, `--state` and the service's flags: the commands that only ask the service (sensor-info, status, rules update). */
export const accountFields = { root: OptionalText, config: PathFlag, state: PathFlag, ...serviceFields }

/** A key renamed on decoding: the flag's record names it `from`, the options another name. */
export const fromFlag = <const K extends string, S extends Schema.Schema.Any>(from: K, schema: S) =>
  Schema.propertySignature(schema).pipe(Schema.fromKey(from))

/** The first failure's message, for the one operator line. */
export const firstMessage = (e: ParseResult.ParseError): string => ParseResult.ArrayFormatter.formatErrorSync(e)[0]?.message ?? e.message

/** `HOST:PORT` as given (for messages) and as read (domain/ListenAddress.ts). */
export const ListenAt = Schema.Struct({ text: Schema.String, host: Schema.String, port: Schema.Int })

/** `--serve` / `--status-listen` / `--listen HOST:PORT`; a refusal is `prefix` and the reason (`--serve: `, `--listen `). */
export const listenAt = (prefix: string) =>
  decodeOnly(Schema.String, ListenAt, (text) => {
    const at = parseListenAddress(text)
    return "error" in at ? `${prefix}${at.error}` : { ok: { text, host: at.host, port: at.port } }
  })

/** `--categories LIST|all` (domain/RulesPlan.ts Selection). */
export const Categories = decodeOnly(Schema.String, Schema.Union(Schema.Literal("all"), Schema.Array(Schema.String)), (text) => {
  const c = parseCategories(text)
  return typeof c === "object" && "error" in c ? `--categories: ${c.error}` : { ok: c }
})

/** A flag without a default, decoded by `schema` when given. */
export const optionalFlag = <A, I>(schema: Schema.Schema<A, I>) =>
  decodeOnly(Schema.OptionFromSelf(Schema.encodedSchema(schema)), Schema.UndefinedOr(Schema.typeSchema(schema)), (given) => {
    if (Option.isNone(given)) return { ok: undefined }
    const r = Schema.decodeEither(schema)(given.value)
    return r._tag === "Right" ? { ok: r.right } : firstMessage(r.left)
  })

/** `--rules-at HH:MM` (run, cron): milliseconds after local midnight. */
export const RulesAtMs = decodeOnly(Schema.String, Schema.NonNegativeInt, (text) => {
  const ms = parseTimeOfDay(text)
  return ms !== undefined ? { ok: ms } : `--rules-at ${JSON.stringify(text)} is not a time of day (HH:MM)`
})
