/**
 * What the demo's sensor tree holds (./Demo.ts): a suricata.yaml with HOME_NET, a stats.log, stand-in
 * opnsense-version / suricata / rc.d scripts, and the sample eve log moved in time to the last two hours.
 */
import { parseTimestamp } from "../domain/Timestamp.js"

export const HOME_NET = "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12,198.51.100.0/24]"

export const SURICATA_YAML = `%YAML 1.1
---
# Written by etpro-telemetry demo.
vars:
  address-groups:
    HOME_NET: "${HOME_NET}"
    EXTERNAL_NET: "!$HOME_NET"
outputs:
  - eve-log:
      enabled: yes
      filename: eve.json
af-packet:
  - interface: em0
`

const STATS_COUNTERS: ReadonlyArray<readonly [string, number]> = [
  ["capture.kernel_packets", 1843211],
  ["decoder.pkts", 1843020],
  ["decoder.bytes", 1536628912],
  ["decoder.ipv4", 1702214],
  ["decoder.ipv6", 140806],
  ["flow.tcp", 20411],
  ["flow.udp", 9313],
  ["detect.alert", 143]
]

export const statsLog = (now: number): string => {
  const dashes = "-".repeat(84)
  const d = new Date(now)
  const p = (n: number) => String(n).padStart(2, "0")
  const date = `${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${d.getUTCFullYear()} -- ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`
  return [
    dashes,
    `Date: ${date} (uptime: 0d, 02h 00m 00s)`,
    dashes,
    `${"Counter".padEnd(46)}| ${"TM Name".padEnd(26)}| Value`,
    dashes,
    ...STATS_COUNTERS.map(([c, v]) => `${c.padEnd(46)}| ${"Total".padEnd(26)}| ${v}`)
  ].join("\n") + "\n"
}

export const SCRIPTS = {
  opnsenseVersion: `#!/bin/sh\necho "26.1 (etpro-telemetry demo)"\n`,
  suricata: `#!/bin/sh\necho "This is Suricata version 7.0.8 RELEASE"\n`,
  suricataRc: `#!/bin/sh\necho "suricata is running as pid $$."\nexit 0\n`
}

const TS_FIELD = /"timestamp":"([^"]+)"/g

/** Moves every parseable `"timestamp"` by `shiftMs` (whole seconds), keeping its offset and fraction. */
export const shiftTimestamps = (text: string, shiftMs: number): string =>
  text.replace(TS_FIELD, (whole, ts: string) => {
    const t = parseTimestamp(ts)
    const m = /^(.{19})(\.\d+)?(Z|[+-]\d{2}(?::?\d{2})?)$/.exec(ts)
    if (t === undefined || m === null) return whole
    const tz = m[3]!
    const digits = tz === "Z" ? "" : tz.slice(1).replace(":", "")
    const offsetMin = tz === "Z" ? 0 : (tz.startsWith("-") ? -1 : 1) * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || "0"))
    const wholeSeconds = Math.floor(t / 1000) * 1000
    const wall = new Date(wholeSeconds + shiftMs + offsetMin * 60_000).toISOString().slice(0, 19)
    return `"timestamp":"${wall}${m[2] ?? ""}${tz}"`
  })

/** The newest timestamp in a log text. */
const newest = (text: string): number | undefined => {
  let max: number | undefined
  for (const m of text.matchAll(TS_FIELD)) {
    const t = parseTimestamp(m[1]!)
    if (t !== undefined && (max === undefined || t > max)) max = t
  }
  return max
}

/** The log moved in time so that its newest record is `leadMs` before `now`. */
export const rebaseLog = (text: string, now: number, leadMs = 2 * 60_000): string => {
  const at = newest(text)
  return at === undefined ? text : shiftTimestamps(text, Math.round((now - leadMs - at) / 1000) * 1000)
}
