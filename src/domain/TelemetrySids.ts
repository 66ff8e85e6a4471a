/** `rules/telemetry_sids.txt`: one SID a line; blank lines and `#` comments ignored. */
export const parseTelemetrySids = (text: string): { sids: Set<number>; invalid: number } => {
  const sids = new Set<number>()
  let invalid = 0
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === "" || line.startsWith("#")) continue
    if (/^\d{1,10}$/.test(line)) sids.add(Number(line))
    else invalid++
  }
  return { sids, invalid }
}
