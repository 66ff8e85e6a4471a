/**
 * A sensor's file tree under a temp `--root`: suricata.yaml (IDS or IPS), installed_rules.yaml, rule files,
 * telemetry SIDs and version, a stats.log in Suricata's real text format, and stand-in shell scripts for
 * opnsense-version, suricata and rc.d/suricata. Tests change single files to break single probes.
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { DEFAULTS, type Paths, resolvePaths } from "../../src/domain/Paths.js"

const DASHES = "-".repeat(84)

/** One stats.log block as Suricata 7 writes it (`stats.log` with `totals: yes`, optionally `threads: yes`). */
export const statsBlock = (
  date: string,
  rows: ReadonlyArray<readonly [counter: string, tm: string, value: number]>
): string =>
  [
    DASHES,
    `Date: ${date} (uptime: 0d, 01h 00m 08s)`,
    DASHES,
    `${"Counter".padEnd(46)}| ${"TM Name".padEnd(26)}| Value`,
    DASHES,
    ...rows.map(([c, tm, v]) => `${c.padEnd(46)}| ${tm.padEnd(26)}| ${v}`)
  ].join("\n") + "\n"

export const totals = (values: Record<string, number>) =>
  Object.entries(values).map(([c, v]) => [c, "Total", v] as const)

export const IDS_YAML = `%YAML 1.1
---
vars:
  address-groups:
    HOME_NET: "[192.168.1.0/24]"
# inline: true   (a comment must not switch on IPS mode)
af-packet:
  - interface: em0
    cluster-id: 99
pcap:
  - interface: em0
`

export const IPS_YAML = `%YAML 1.1
---
vars:
  address-groups:
    HOME_NET: "[192.168.1.0/24]"
netmap:
  - interface: em0
    copy-mode: ips
ipfw:
  inline: true
`

/** Rules: two enabled, one disabled (`#`), one whose content contains "sid:" before its real sid. */
export const RULES_A = `# emerging-a.rules
alert tcp $HOME_NET any -> $EXTERNAL_NET any (msg:"ET A one"; flow:established; sid:2000001; rev:1;)
#alert tcp $HOME_NET any -> $EXTERNAL_NET any (msg:"ET A disabled"; sid:2000002; rev:1;)
alert http any any -> any any (msg:"ET A tricky"; content:"sid:1234;"; http_uri; sid:2000003; rev:2; metadata:created_at 2020_01_01;)

   # indented comment with sid:2000099;
`
export const RULES_B = `alert dns any any -> any any (msg:"ET B one"; dns.query; content:"evil"; sid:2100001; rev:1;)
alert tls any any -> any any (msg:"ET B two \\"quoted; sid:7\\""; sid:2100002; rev:3;)
`
/** Installed nowhere: its SIDs must not count. */
export const RULES_UNUSED = `alert ip any any -> any any (msg:"not installed"; sid:2999999; rev:1;)\n`

export const INSTALLED_YAML = `%YAML 1.1
---
rule-files:
  - emerging-a.rules
  - emerging-b.rules
  - missing.rules
`

/** Enabled SIDs of RULES_A + RULES_B. */
export const ENABLED_SIDS = [2000001, 2000003, 2100001, 2100002]
/** Of which in telemetry_sids.txt: 2000003 and 2100002 (2000002 is disabled, 2999999 not installed). */
export const TELEMETRY_SIDS = "2000002\n2000003\n2100002\n2999999\n"

export const script = (body: string) => `#!/bin/sh\n${body}\n`

export const SCRIPTS = {
  opnsenseVersion: script(`[ "$1" = "-v" ] || exit 64\necho "24.7.5"`),
  suricata: script(`[ "$1" = "-V" ] || exit 64\necho "This is Suricata version 7.0.6 RELEASE"`),
  suricataRunning: script(`[ "$1" = "status" ] || exit 64\necho "suricata is running as pid 4242."\nexit 0`),
  suricataStopped: script(`[ "$1" = "status" ] || exit 64\necho "suricata is not running."\nexit 1`)
}

export interface TreeOptions {
  readonly mode?: "IDS" | "IPS"
  readonly hashLine?: boolean
  readonly running?: boolean
  /** A root whose name has spaces, quotes and shell metacharacters. */
  readonly awkwardName?: boolean
}

export interface SensorTree {
  readonly root: string
  readonly paths: Paths
  /** Writes (or replaces) a file under the root at its default absolute path. */
  readonly write: (absPath: string, text: string, mode?: number) => Promise<void>
  readonly remove: (absPath: string) => Promise<void>
  readonly cleanup: () => Promise<void>
}

export const STATS_FIRST = { "capture.kernel_packets": 100, "decoder.pkts": 100, "detect.alert": 1 }
export const STATS_LAST = {
  "capture.kernel_packets": 123456,
  "capture.kernel_drops": 12,
  "decoder.pkts": 123400,
  "decoder.bytes": 98765432,
  "decoder.ipv4": 120000,
  "decoder.ipv6": 3400,
  "flow.tcp": 4000,
  "flow.udp": 2500,
  "detect.alert": 42
}

export const emptyTree = async (opts: { awkwardName?: boolean } = {}): Promise<SensorTree> => {
  const base = await mkdtemp(join(tmpdir(), "etpro-sensor-"))
  const root = opts.awkwardName === true ? join(base, `it's a "root"; $(touch pwned) & x`) : base
  await mkdir(root, { recursive: true })
  const at = (p: string) => join(root, p)
  const write = async (absPath: string, text: string, mode?: number) => {
    const p = at(absPath)
    await mkdir(dirname(p), { recursive: true })
    await writeFile(p, text)
    if (mode !== undefined) await chmod(p, mode)
  }
  return {
    root,
    paths: resolvePaths({ root }),
    write,
    remove: (absPath) => rm(at(absPath), { force: true, recursive: true }),
    cleanup: () => rm(base, { recursive: true, force: true })
  }
}

export const sensorTree = async (opts: TreeOptions = {}): Promise<SensorTree> => {
  const t = await emptyTree(opts)
  const s = "/usr/local/etc/suricata"
  await t.write(DEFAULTS.suricataYaml, opts.mode === "IPS" ? IPS_YAML : IDS_YAML)
  await t.write(DEFAULTS.installedRules, INSTALLED_YAML)
  await t.write(`${s}/opnsense.rules/emerging-a.rules`, RULES_A)
  await t.write(`${s}/opnsense.rules/emerging-b.rules`, RULES_B)
  await t.write(`${s}/opnsense.rules/emerging-unused.rules`, RULES_UNUSED)
  await t.write(`${s}/rules/telemetry_sids.txt`, TELEMETRY_SIDS)
  await t.write(
    `${s}/rules/telemetry_version.json`,
    (opts.hashLine === false ? "" : "#@opnsense_download_hash:3f2a9c0d1e\n") + `{"version": "10432"}\n`
  )
  await t.write(
    "/var/log/suricata/stats.log",
    statsBlock("11/27/2026 -- 09:59:52", totals(STATS_FIRST)) + statsBlock("11/27/2026 -- 10:00:00", totals(STATS_LAST))
  )
  await t.write(DEFAULTS.opnsenseVersion, SCRIPTS.opnsenseVersion, 0o755)
  await t.write(DEFAULTS.suricata, SCRIPTS.suricata, 0o755)
  await t.write(DEFAULTS.suricataRc, opts.running === false ? SCRIPTS.suricataStopped : SCRIPTS.suricataRunning, 0o755)
  return t
}
