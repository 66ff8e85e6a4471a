/** The demo's child processes (./Demo.ts): the agent's own commands, and the status page it keeps up. */
import { Data, Effect } from "effect"
import { type ChildProcess, spawn } from "node:child_process"

/** The demo did not complete; one line for the operator (exit code 1). */
export class DemoFailure extends Data.TaggedError("DemoFailure")<{ readonly message: string }> {}

export interface StepResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
  readonly missing: boolean
}

/** Runs the CLI as a child process; the service keeps answering meanwhile (nothing here blocks the loop). */
export const runCli = (cli: ReadonlyArray<string>, args: ReadonlyArray<string>, timeoutMs: number) =>
  Effect.async<StepResult>((resume) => {
    const child = spawn(cli[0]!, [...cli.slice(1), ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (c: Buffer) => void (stdout += c.toString("utf8")))
    child.stderr.on("data", (c: Buffer) => void (stderr += c.toString("utf8")))
    const timer = setTimeout(() => {
      stderr += `emergingthreats: demo: no answer in ${timeoutMs / 1000} s; stopped\n`
      child.kill("SIGKILL")
    }, timeoutMs)
    child.on("error", (e) => {
      clearTimeout(timer)
      resume(Effect.succeed({ code: 127, stdout, stderr: `${stderr}${e.message}\n`, missing: false }))
    })
    child.on("close", (code) => {
      clearTimeout(timer)
      resume(Effect.succeed({ code: code ?? 1, stdout, stderr, missing: /Invalid subcommand/.test(stderr) }))
    })
    return Effect.sync(() => {
      clearTimeout(timer)
      if (child.exitCode === null) child.kill("SIGKILL")
    })
  })

/** Starts a long-running child (the status page) and waits for its `listening on` line. */
export const startChild = (cli: ReadonlyArray<string>, args: ReadonlyArray<string>) =>
  Effect.acquireRelease(
    Effect.async<{ child: ChildProcess; url: string }, DemoFailure>((resume) => {
      const child = spawn(cli[0]!, [...cli.slice(1), ...args], { stdio: ["ignore", "pipe", "pipe"] })
      let out = ""
      let err = ""
      child.stdout!.on("data", (c: Buffer) => {
        out += c.toString("utf8")
        const m = /listening on (\S+)/.exec(out)
        if (m !== null) resume(Effect.succeed({ child, url: m[1]! }))
      })
      child.stderr!.on("data", (c: Buffer) => void (err += c.toString("utf8")))
      child.on("close", (code) =>
        resume(Effect.fail(new DemoFailure({ message: `the status page exited (${code}): ${err.trim().split("\n")[0] ?? ""}` })))
      )
    }),
    ({ child }) => Effect.sync(() => void (child.exitCode === null && child.kill("SIGTERM")))
  )
