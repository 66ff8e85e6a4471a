// The stock OPNsense plugin's figures and issue 22's goals, quoted as constants: the plugin is not part of
// this repository, so its figures are those measured side by side with the agent on the development machine
// (2 cores, Node 20, the plugin on Debian's python3), as issue 22 records them and BENCHMARKS.md quotes them
// ("The stock plugin's figures"). A figure the issue gives only as a ratio has no absolute value here (null).
export const PLUGIN_SOURCE = "issue 22 (BENCHMARKS.md, \"The stock plugin's figures\"): cron every minute, 1,440 minutes and 24 heartbeats a day"

export const PLUGIN = {
  /** CPU seconds a day, cron every minute, 24 heartbeats. */
  cpuPerDayS: { alerts0: 181, alerts100: 272 },
  /** Its resident memory while a cron run lasts (~0.2 s a minute). */
  cronRssMiB: 30,
  /** One heartbeat: CPU and peak memory. */
  heartbeat: { cpuMs: 107, rssMiB: 30 },
  /** `dump` of 1M lines: its peak memory; its time is on record only as the agent's ratio to it (0.34×). */
  dump1M: { rssMiB: 25, seconds: null }
}

export const GOALS = {
  idleMinuteCpuMs: 5,
  cpuPerDayRatio: { alerts0: 0.1, alerts100: 0.3 },
  daemonRssMiB: 64,
  daemonPeakMiB: 80,
  heartbeatCpuRatio: 1.5,
  heartbeatRssMiB: 64,
  dumpPeakMiB: 64,
  dumpTimeRatio: 0.35,
  noopCpuRatio: 1.3,
  backlogCpuRatio: 1.5,
  // issue 24: one-shot send-events of a 100,000-alert backlog
  backlog100kPeakMiB: 96
}
