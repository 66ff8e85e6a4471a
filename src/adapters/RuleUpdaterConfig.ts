/**
 * The token in rule-updater.config (INI, section `[__properties__]`, key `et_telemetry.token`), as the
 * OPNsense UI writes it. Read with the `ini` package; written by editing only the token's line, so comments,
 * other keys and their layout are kept; created 0600 when absent. The token never appears in a message.
 */
import { Context, Data, Effect, Either, Layer } from "effect"
import { decode } from "ini"
import { readFile, stat } from "node:fs/promises"
import { writeFileAtomic } from "./AtomicFile.js"
import { ALLOWED_CHARACTERS, checkToken, rawValueHasStrayWhitespace } from "../domain/Token.js"

export const SECTION = "__properties__"
export const KEY = "et_telemetry.token"

export class TokenError extends Data.TaggedError("TokenError")<{
  readonly path: string
  readonly reason: "NoFile" | "NotReadable" | "NoSection" | "NoKey" | "Empty" | "Malformed" | "NotWritable"
  readonly message: string
}> {}

/** No token configured at all (as opposed to a broken one): `sensor-info` prints `unconfigured`. */
export const isUnconfigured = (e: TokenError): boolean =>
  e.reason === "NoFile" || e.reason === "NoSection" || e.reason === "NoKey" || e.reason === "Empty"

export interface ConfiguredToken {
  readonly token: string
  /** The stored value had leading/trailing whitespace, trimmed before use. */
  readonly trimmed: boolean
  /** For the operator, e.g. the trimming warning; never the token. */
  readonly warnings: ReadonlyArray<string>
}

const HINT = "set it with `etpro-telemetry token set TOKEN` or in the OPNsense UI"

const lineRe = (key: string) => new RegExp(`^\\s*${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*=(.*)$`)
const SECTION_RE = /^\s*\[([^\]]*)\]\s*$/

/** The text after `=` on the key's last line in the section (what `ini` would use), without `\r`. */
const rawValue = (text: string): string | undefined => {
  let inSection = false
  let found: string | undefined
  const re = lineRe(KEY)
  for (const l of text.split("\n")) {
    const line = l.replace(/\r$/, "")
    const s = SECTION_RE.exec(line)
    if (s !== null) inSection = s[1]!.trim() === SECTION
    else if (inSection) {
      const m = re.exec(line)
      if (m !== null) found = m[1]!
    }
  }
  return found
}

/** Reads and checks the token (pure over the file's text). */
export const tokenFromText = (path: string, text: string): Either.Either<ConfiguredToken, TokenError> => {
  const parsed = decode(text) as Record<string, unknown>
  const section = parsed[SECTION]
  if (typeof section !== "object" || section === null) {
    return Either.left(new TokenError({ path, reason: "NoSection", message: `${path} has no [${SECTION}] section, so no telemetry token: ${HINT}` }))
  }
  const value = (section as Record<string, unknown>)[KEY]
  if (value === undefined) {
    return Either.left(new TokenError({ path, reason: "NoKey", message: `${path} has no ${KEY} in [${SECTION}]: ${HINT}` }))
  }
  const raw = typeof value === "string" ? value : String(value)
  const checked = checkToken(raw)
  if ("problem" in checked) {
    return Either.left(
      checked.problem === "empty"
        ? new TokenError({ path, reason: "Empty", message: `${KEY} in ${path} is empty: ${HINT}` })
        : new TokenError({
            path,
            reason: "Malformed",
            message: `${KEY} in ${path} is not a token (only ${ALLOWED_CHARACTERS}; an inline ; or # starts a comment)`
          })
    )
  }
  const line = rawValue(text)
  const trimmed = checked.trimmed || (line !== undefined && rawValueHasStrayWhitespace(line))
  return Either.right({
    token: checked.token,
    trimmed,
    warnings: trimmed ? [`${KEY} in ${path} has leading or trailing whitespace; it was trimmed`] : []
  })
}

/** Sets the key in the section, keeping every other line; adds the section when missing (pure). */
export const setTokenInText = (text: string, token: string): string => {
  const eol = /\r\n/.test(text) ? "\r\n" : "\n"
  const lines = text === "" ? [] : text.replace(/\r?\n$/, "").split(/\r?\n/)
  const re = lineRe(KEY)
  const entry = `${KEY} = ${token}`
  let inSection = false
  let sectionEnd = -1
  let replaced = false
  lines.forEach((line, i) => {
    const s = SECTION_RE.exec(line)
    if (s !== null) {
      inSection = s[1]!.trim() === SECTION
      if (inSection && sectionEnd < 0) sectionEnd = i + 1
      return
    }
    if (inSection) {
      if (re.test(line)) {
        lines[i] = entry
        replaced = true
      }
      if (sectionEnd >= 0 && line.trim() !== "") sectionEnd = Math.max(sectionEnd, i + 1)
    }
  })
  if (!replaced) {
    if (sectionEnd >= 0) lines.splice(sectionEnd, 0, entry)
    else {
      if (lines.length > 0 && lines[lines.length - 1]!.trim() !== "") lines.push("")
      lines.push(`[${SECTION}]`, entry)
    }
  }
  return lines.join(eol) + eol
}

const code = (e: unknown) => (e as NodeJS.ErrnoException).code ?? "error"

export interface RuleUpdaterConfigService {
  readonly readToken: (path: string) => Effect.Effect<ConfiguredToken, TokenError>
  /** Writes the (trimmed) token; `trimmed` says whether whitespace was removed. */
  readonly writeToken: (path: string, raw: string) => Effect.Effect<{ readonly trimmed: boolean }, TokenError>
}

export class RuleUpdaterConfig extends Context.Tag("etpro/RuleUpdaterConfig")<RuleUpdaterConfig, RuleUpdaterConfigService>() {}

const readText = (path: string) =>
  Effect.tryPromise({
    try: () => readFile(path, "utf8"),
    catch: (e) =>
      code(e) === "ENOENT"
        ? new TokenError({ path, reason: "NoFile", message: `${path} not found, so no telemetry token: ${HINT}` })
        : new TokenError({ path, reason: "NotReadable", message: `cannot read ${path} (${code(e)})` })
  })


export const make = (): RuleUpdaterConfigService => ({
  readToken: (path) =>
    readText(path).pipe(Effect.flatMap((text) => Effect.suspend(() => tokenFromText(path, text)))),

  writeToken: (path, raw) =>
    Effect.gen(function* () {
      const checked = checkToken(raw)
      if ("problem" in checked) {
        return yield* checked.problem === "empty"
          ? new TokenError({ path, reason: "Empty", message: "the token is empty" })
          : new TokenError({ path, reason: "Malformed", message: `that is not a token (only ${ALLOWED_CHARACTERS})` })
      }
      const existing = yield* readText(path).pipe(
        Effect.catchIf((e) => e.reason === "NoFile", () => Effect.succeed(undefined))
      )
      const mode = existing === undefined
        ? 0o600
        : yield* Effect.promise(() => stat(path).then((s) => s.mode & 0o7777, () => 0o600))
      const text = setTokenInText(existing ?? "", checked.token)
      // The edit must read back as the token, or nothing is written.
      const back = tokenFromText(path, text)
      if (Either.isLeft(back) || back.right.token !== checked.token) {
        return yield* new TokenError({ path, reason: "NotWritable", message: `${path}: the edited file would not read back the token; left unchanged` })
      }
      yield* Effect.tryPromise({
        try: () => writeFileAtomic(path, text, mode),
        catch: (e) => new TokenError({ path, reason: "NotWritable", message: `cannot write ${path} (${code(e)})` })
      })
      return { trimmed: checked.trimmed }
    })
})

export const layer = Layer.sync(RuleUpdaterConfig, make)
