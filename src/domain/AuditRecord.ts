/**
 * The local record of what left the machine (issue 13): one line per body the service acknowledged,
 * `{"at":"<ISO time>","event":<the body as sent>}`. Pure: the adapter (src/adapters/AuditLog.ts) stores it.
 */

/** Size cap of one audit file; one older file is kept beside it, so at most 2 × this on disk. */
export const AUDIT_CAP_BYTES = 8 * 1024 * 1024

export const auditLine = (atMs: number, body: string): string => `{"at":${JSON.stringify(new Date(atMs).toISOString())},"event":${body}}`

/** The body of an audit line sent at or after `sinceMs` (undefined: all), or undefined. */
export const sentSince = (line: string, sinceMs: number | undefined): string | undefined => {
  const at = /^\{"at":"([^"]+)","event":/.exec(line)
  if (at === null || !line.endsWith("}")) return undefined
  if (sinceMs !== undefined && !(Date.parse(at[1]!) >= sinceMs)) return undefined
  return line.slice(at[0].length, -1)
}
