/**
 * The V8 startup snapshot of `send-events`, which cron starts every minute: the installed launcher
 * (scripts/release/launcher.sh) builds a snapshot from this file's CommonJS bundle (dist/snapshot.cjs, made
 * by scripts/build.mjs) and starts `send-events` from it, so the run finds Effect's modules already
 * compiled and evaluated instead of paying for that at every start (BENCHMARKS.md "Issue 14").
 *
 * Only Effect and the platform modules are evaluated into the snapshot. The agent's own modules load when
 * the run starts (dynamic imports: the bundler defers them), so nothing of this host (host name, paths,
 * environment) is frozen at build time; Effect's own seeded state is replaced per run (./SendEventsEntry.ts).
 * The run is the same as bin.ts's: `startSendEvents`, then, for anything it leaves to the full CLI (help, odd
 * flags), the normal CLI in a child process, whose exit this process takes over.
 */
import { startupSnapshot } from "node:v8"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Chunk, Clock, Context, Data, Duration, Effect, Either, Layer, Option, Random, Ref, Schedule, Schema, Stream } from "effect"

/** Evaluated into the snapshot: what the send-events program is built from (kept as the main function's data). */
const preloaded = [NodeFileSystem, NodePath, HttpClientRequest, Chunk, Clock, Context, Data, Duration, Effect, Either, Layer, Option, Random, Ref, Schedule, Schema, Stream]

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
  void import("./SendEventsFastPath.js")
    .then((m) => m.startSendEvents(process.argv.slice(3)))
    .then((done) => (done ? undefined : fullCli()))
}, preloaded)
