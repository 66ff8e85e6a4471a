/** Replacements in a text, by position: what the scrubbers collect and apply in one pass. */
export interface Edit {
  readonly from: number
  readonly to: number
  readonly text: string
}

/** Applies edits sorted by `from`; one that overlaps an earlier one is skipped. */
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
