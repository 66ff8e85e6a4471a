// What a running child costs so far, read from Linux's /proc (nothing inside the measured process): CPU
// (user + system, clock ticks of 10 ms), resident and peak resident memory, and the bytes it wrote towards
// storage (write_bytes: page cache dirtied, not the eventfd and pipe writes of Node's event loop).
import { readFileSync } from "node:fs"

const TICK_MS = 10 // USER_HZ is 100 on Linux

export const sample = (pid) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
  // Fields after the command name (which may hold spaces), from field 3 on.
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  const cpuMs = (Number(f[11]) + Number(f[12])) * TICK_MS
  const status = readFileSync(`/proc/${pid}/status`, "utf8")
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN)
  let writtenBytes = NaN
  try {
    writtenBytes = Number(/^write_bytes: (\d+)/m.exec(readFileSync(`/proc/${pid}/io`, "utf8"))?.[1] ?? NaN)
  } catch {}
  return { at: performance.now(), cpuMs, rssMiB: kb("VmRSS") / 1024, peakMiB: kb("VmHWM") / 1024, writtenBytes }
}
