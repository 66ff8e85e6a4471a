// Preload (`node --import bench/lib/maxrss.mjs ...`) used when /usr/bin/time is missing: at exit, the
// process reports its own peak resident set size (the kernel's ru_maxrss, the figure `time -v` prints)
// and its CPU time.
import { writeSync } from "node:fs"

process.on("exit", () => {
  const u = process.resourceUsage()
  writeSync(2, `\nmaxrss-kb: ${u.maxRSS} cpu-us: ${u.userCPUTime + u.systemCPUTime}\n`)
})
