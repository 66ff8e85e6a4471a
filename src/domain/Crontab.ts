/**
 * `cron`: crontab lines that run the one-shot commands instead of the long-running `run`, at the intervals
 * of the original OPNsense plugin: events every minute, heartbeat and sensor info hourly, rules daily. The
 * commands spread their own load (send-events waits 0–60 s, send-heartbeat 0–30 min); sensor info, which has
 * no delay of its own, gets a minute derived from the host so sensors do not all ask at :00.
 */
import type { CronOptions } from "./CronOptions.js"

/** The lines' input: `cron`'s decoded options (./CronOptions.ts) with the flags it passes on split into words. */
export type CrontabOptions = Pick<CronOptions, "bin" | "rulesAtMs"> &
  Partial<Pick<CronOptions, "user">> & {
  /** Flags passed to every command (--root, --config, --base-url, ...), already split into words. */
  readonly args: ReadonlyArray<string>
  /** Flags for the commands that read the eve log only (send-events, send-heartbeat): `--log DIR`. */
  readonly logArgs?: ReadonlyArray<string>
  /** Flags for send-events alone: `--delivery POLICY`. */
  readonly eventArgs?: ReadonlyArray<string>
  /** Extra flags for `rules update` only (e.g. --reload-command CMD). */
  readonly rulesArgs: ReadonlyArray<string>
  /** The minute of the hour for sensor info (0–59). */
  readonly sensorInfoMinute: number
  /** Pipe output to syslog with `logger -t etpro-telemetry` (else cron mails it). */
  readonly syslog: boolean
}

const SAFE = /^[A-Za-z0-9_/.:=,@+-]+$/

/** One word for sh, then `%` escaped (cron turns a bare `%` into a newline). */
export const shellWord = (w: string): string =>
  (SAFE.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`).replace(/%/g, "\\%")

/** A small stable number from a host name (FNV-1a), for spreading minutes across sensors. */
export const hostMinute = (host: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < host.length; i++) {
    h ^= host.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h % 60
}

export const crontab = (o: CrontabOptions): string => {
  const cmd = (sub: ReadonlyArray<string>, extra: ReadonlyArray<string> = []) =>
    [o.bin, ...sub, ...o.args, ...extra].map(shellWord).join(" ")
  const log = (c: string, stdout: "keep" | "drop" = "keep") =>
    !o.syslog
      ? stdout === "drop" ? `${c} >/dev/null` : c
      : stdout === "drop"
      ? `${c} 2>&1 >/dev/null | /usr/bin/logger -t etpro-telemetry`
      : `${c} 2>&1 | /usr/bin/logger -t etpro-telemetry`
  const when = (m: string, h: string) => [m, h, "*", "*", "*", ...(o.user !== undefined ? [o.user] : [])].join("\t")
  const minutes = Math.floor(o.rulesAtMs / 60_000)
  return [
    "# etpro-telemetry: one-shot runs from cron. Use these lines or the long-running `etpro-telemetry run`",
    "# (rc.d / systemd), not both: heartbeats would be sent twice.",
    `${when("*", "*")}\t${log(cmd(["send-events"], [...(o.logArgs ?? []), ...(o.eventArgs ?? [])]))}`,
    `${when("0", "*")}\t${log(cmd(["send-heartbeat"], o.logArgs))}`,
    `${when(String(o.sensorInfoMinute), "*")}\t${log(cmd(["sensor-info"]), "drop")}`,
    `${when(String(minutes % 60), String(Math.floor(minutes / 60)))}\t${log(cmd(["rules", "update"], o.rulesArgs))}`,
    ""
  ].join("\n")
}
