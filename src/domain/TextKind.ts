/**
 * How the sanitiser files a kept text before scrubbing it (src/domain/Sanitise.ts): which cache it goes to,
 * or that the scrubber (Scrub.ts) could read nothing in it at all. One pass over the text: this runs on
 * every text field of every alert, most of them short ASCII words (`alert`, `TCP`, `allowed`, `GET`).
 */

/** ASCII with no digit, `.`, `:`, `-` or `%` and no eight hex letters in a row: scrubText returns it unchanged. */
export const NOTHING = 0
/** No digit and no separator, but a `%`, a non-ASCII character or a possible hex label (rare). */
export const PLAIN = 1
/** A `.` or a digit, no `:` or `-`: host names, versions, subjects. */
export const DOTTED = 2
/** A `:` or `-`: certificate fingerprints, dates, IPv6 text. */
export const COLON = 3

export const textKind = (s: string): number => {
  let kind = NOTHING
  let hexRun = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 58 || c === 45) return COLON
    if (c === 46 || (c >= 48 && c <= 57)) kind = DOTTED
    hexRun = (c >= 65 && c <= 70) || (c >= 97 && c <= 102) ? hexRun + 1 : 0
    if (kind === NOTHING && (c === 37 || c >= 0x80 || hexRun >= 8)) kind = PLAIN
  }
  return kind
}
