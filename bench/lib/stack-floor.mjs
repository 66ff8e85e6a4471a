// Baseline for the one-shot commands: the least the design's stack costs for a command. One @effect/cli command on
// Effect, with the @effect/platform-node layers @effect/cli needs (file system, path, terminal), imported and run
// as src/main/bin.ts runs the agent's commands, bundled with the CLI's own esbuild settings (bench/lib/bundle.mjs)
// by bench/sections/35-oneshot.mjs. Nothing of the agent.
//   node [flags] stack-floor.js            does nothing (the floor under a no-op send-events)
//   node [flags] stack-floor.js URL        POSTs one JSON body of a heartbeat's size to URL/api/v1/telemetry on
//                                          undici and reads the answer (the floor under send-heartbeat)
import { Command } from "@effect/cli"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

const [url] = process.argv.slice(2)
const postOnce = (url) =>
  Effect.promise(async () => {
    // Loaded only here, as the agent loads it: a do-nothing command never pays for undici.
    const undici = await import("undici")
    const request = undici.request ?? undici.default.request
    const res = await request(`${url}/api/v1/telemetry`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer bench-token" },
      body: JSON.stringify({ sensor_id: "bench", pad: "x".repeat(1500) })
    })
    await res.body.text()
    if (res.statusCode >= 300) process.exitCode = 1
  })

const command = Command.make("floor", {}, () => (url === undefined ? Effect.void : postOnce(url)))
const cli = Command.run(command, { name: "floor", version: "0" })
void Effect.runPromise(cli(process.argv.slice(0, 2)).pipe(Effect.provide(Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer))))
