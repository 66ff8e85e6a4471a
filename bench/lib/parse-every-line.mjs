// Baseline for `dump --parsed`: the plain Node loop that reads a log line by line and JSON.parses every line
// (what a naive agent does). Prints the number of lines and of alerts.
import { createReadStream } from "node:fs"
import { createInterface } from "node:readline"

let lines = 0
let alerts = 0
let bad = 0
for await (const line of createInterface({ input: createReadStream(process.argv[2]), crlfDelay: Infinity })) {
  lines++
  try {
    if (JSON.parse(line).event_type === "alert") alerts++
  } catch {
    bad++
  }
}
process.stderr.write(`baseline: ${lines} lines, ${alerts} alerts, ${bad} bad\n`)
