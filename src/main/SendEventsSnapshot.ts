/**
 * The V8 startup snapshot of `send-events`, which cron starts every minute: the installed launcher
 * (scripts/release/launcher.sh) builds a snapshot from this file's CommonJS bundle (dist/snapshot.cjs, made
 * by scripts/build.mjs) and starts `send-events` from it, so the run finds Effect's modules already
 * compiled and evaluated instead of paying for that at every start (BENCHMARKS.md "Issue 14").
 *
 * The agent's modules are evaluated into the snapshot too, and warmed by one run on a made-up sensor
 * (./SendEventsWarmUp.ts), so their bytecode is in it: none of them reads the host when it is evaluated (host
 * name, pid, interfaces, environment, token and files are read when a run asks), and Effect's own seeded
 * state is replaced per run (./SendEventsEntry.ts). The run is the same as bin.ts's: `startSendEvents`, then,
 * for anything it leaves to the full CLI (help, odd flags), the normal CLI in a child process, whose exit this
 * process takes over.
 */
import { startupSnapshot } from "node:v8"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as SendEventsEntry from "./SendEventsEntry.js"
import { startSendEvents } from "./SendEventsFastPath.js"
import { warmUp } from "./SendEventsWarmUp.js"

/** Evaluated into the snapshot (kept as the main function's data); TelemetryApi imports the request module at run time. */
const preloaded = [SendEventsEntry, HttpClientRequest]

/** The normal CLI (no snapshot) with the same arguments; this process ends as the child did. */
const fullCli = () => {
  // Loaded here, not imported: child_process is not one of the built-ins a snapshot can hold, and a
  // deserialised main function has no dynamic import().
  const { spawnSync } = process.getBuiltinModule("node:child_process") as typeof import("node:child_process")
  const r = spawnSync(process.execPath, process.argv.slice(1), { stdio: "inherit" })
  if (r.signal !== null) process.kill(process.pid, r.signal)
  process.exitCode = r.status ?? 1
}

startupSnapshot.setDeserializeMainFunction(() => {
  if (process.argv[2] !== "send-events") return void fullCli()
  void startSendEvents(process.argv.slice(3)).then((done) => (done ? undefined : fullCli()))
}, preloaded)

// The builder runs the event loop to its end before it writes the snapshot. A warm-up that fails leaves a
// cold snapshot, which runs the same program, only dearer; the launcher's start does not depend on it.
void warmUp().catch((e: unknown) => process.stderr.write(`send-events snapshot: warm-up failed, the snapshot is cold: ${String(e)}\n`))
