/**
 * The edits the text scrubber (./Scrub.ts) collects and applies: a span of the text and what replaces it.
 */
import type { Ip } from "./Ip.js"

/** Whether an address is local (masked). */
export type IsLocal = (ip: Ip) => boolean

export interface Edit {
  readonly from: number
  readonly to: number
  readonly text: string
}

/** Applies non-overlapping edits sorted by `from`. */
export const apply = (text: string, edits: ReadonlyArray<Edit>): string => {
  if (edits.length === 0) return text
  let out = ""
  let last = 0
  for (const e of edits) {
    if (e.from < last) continue
    out += text.slice(last, e.from) + e.text
    last = e.to
  }
  return out + text.slice(last)
}

export const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)
