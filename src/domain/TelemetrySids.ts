/**
 * `rules/telemetry_sids.txt` (SPEC section 3): the leading integer of each line is a SID (`2013028 # curl UA`
 * lists 2013028); blank lines and `#` comments are ignored; any other line is counted as invalid.
 */
export const parseTelemetrySids = (text: string): { sids: Set<number>; invalid: number } => {
  const sids = new Set<number>()
  let invalid = 0
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === "" || line.startsWith("#")) continue
    const m = /^(\d{1,10})(?![\d\w:.-])/.exec(line)
    if (m !== null && Number(m[1]) <= 0xffffffff) sids.add(Number(m[1]))
    else invalid++
  }
  return { sids, invalid }
}

/**
 * The selection for a file that exists but lists no SID: it selects nothing (SPEC section 3). SIDs are
 * non-negative, so a set holding only -1 matches no alert; an empty set still means "every alert".
 */
export const NO_SID: ReadonlySet<number> = new Set([-1])
