/**
 * Text from outside (service answers, eve text, recorded messages, file names) made safe to show or log
 * (issue 24, row 1): nothing in it may drive the operator's terminal or reorder what they read. Unprintable
 * is: C0 and C1 controls and DEL (`ESC[2J`, `ESC]0;…BEL`, U+009B CSI), the line and paragraph separators,
 * every format character (Unicode Cf: the bidi overrides and isolates U+202A–202E and U+2066–2069, zero-width
 * characters, U+FEFF...) and lone surrogates. One character class, two renderings: `printable` for text
 * (each such character becomes `?`), `printableJson` for JSON text (each becomes its `\uXXXX` escape, so the
 * output stays JSON meaning the same data). Every sink applies one of them: Output (stdout, stderr), the
 * failure line of src/main/Failure.ts, the status view model.
 */

// Cc (C0, DEL, C1), Zl/Zp (U+2028/2029), Cf (format: bidi controls, zero-width, BOM, tags...), Cs (lone surrogates).
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu
const UNPRINTABLE_ONE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u
// The same class, newline and tab left alone: lines of data end in `\n` (a crontab may hold tabs).
const IN_JSON_CLASS = "[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\p{Cf}\\p{Zl}\\p{Zp}\\p{Cs}]"
const UNPRINTABLE_IN_JSON = new RegExp(IN_JSON_CLASS, "gu")
const UNPRINTABLE_IN_JSON_ONE = new RegExp(IN_JSON_CLASS, "u")
// Printable ASCII, tab and newline hold nothing of the class above: text of only these (dump's every line, as
// JSON.stringify writes it) is passed by one byte-class scan, without the Unicode-property regex.
const NOT_PLAIN_ASCII = /[^\t\n\x20-\x7e]/

/** Whether `s` holds anything `printable` would replace. */
export const hasUnprintable = (s: string): boolean => UNPRINTABLE_ONE.test(s)

/** `s` with every unprintable character replaced by `?`. */
export const printable = (s: string): string => (hasUnprintable(s) ? s.replace(UNPRINTABLE, "?") : s)

const escape = (c: string): string => {
  let out = ""
  for (let i = 0; i < c.length; i++) out += `\\u${c.charCodeAt(i).toString(16).padStart(4, "0")}`
  return out
}

/**
 * JSON text (lines of it, each ending in `\n`) with every unprintable character written as its `\uXXXX`
 * escape. Outside strings JSON allows only whitespace, and `JSON.stringify` never writes a raw control, so
 * such a character can only stand inside a string, where the escape means the same character.
 */
export const printableJson = (text: string): string =>
  !NOT_PLAIN_ASCII.test(text) || !UNPRINTABLE_IN_JSON_ONE.test(text) ? text : text.replace(UNPRINTABLE_IN_JSON, escape)

/**
 * Every string in a small plain value (a view model) made printable; keys are the program's own. Values
 * from outside are decoded and size-capped before they get here, so the recursion is shallow.
 */
export const printableStrings = <T>(value: T): T => {
  if (typeof value === "string") return printable(value) as T
  if (Array.isArray(value)) return value.map(printableStrings) as T
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, printableStrings(v)])) as T
  }
  return value
}

/** One message line for stderr: printable, with its one trailing newline kept. */
export const printableLine = (line: string): string =>
  line.endsWith("\n") ? `${printable(line.slice(0, -1))}\n` : printable(line)
