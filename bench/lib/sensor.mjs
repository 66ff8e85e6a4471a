// What the bench sections share: a loopback sink (bench/lib/sink.mjs) as a child process, a sensor tree with a
// token, HOME_NET, the bodies send-events would send, and how figures are printed.
import { spawn, spawnSync } from "node:child_process"
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

const REPO = fileURLToPath(new URL("../../", import.meta.url))

export const HOME_NET = "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fd00::/8"
export const f1 = (x) => x.toFixed(1)
export const f2 = (x) => x.toFixed(2)
export const met = (ok) => (ok ? "met" : "MISSED")

/** A sink answering 201 to everything, its URL once it listens. */
export const startSink = () =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${REPO}bench/lib/sink.mjs`, "length"], { stdio: ["ignore", "pipe", "inherit"] })
    child.on("error", reject)
    child.stdout.once("data", (d) => resolve({ url: `http://127.0.0.1:${String(d).trim()}`, stop: () => child.kill() }))
  })

/** A fresh sensor tree under `dir`: its token, a log folder (with an empty eve.json when asked), no state yet. */
export const sensorTree = (dir, { emptyLog = false } = {}) => {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(`${dir}log`, { recursive: true })
  writeFileSync(`${dir}rule-updater.config`, "[__properties__]\net_telemetry.token = bench-token\n")
  if (emptyLog) writeFileSync(`${dir}log/eve.json`, "")
  return { dir, log: `${dir}log/eve.json`, state: `${dir}state.json` }
}

/** Writes to `file` the bodies send-events would send for `log`, as `dump --parsed` prints them; returns their count. */
export const bodiesOf = (log, file) => {
  const out = openSync(file, "w")
  const d = spawnSync(process.execPath, [`${REPO}bin/etpro-telemetry`, "dump", "--log", log, "--since", "all", "--parsed", "--home-net", HOME_NET],
    { stdio: ["ignore", out, "pipe"], encoding: "utf8" })
  closeSync(out)
  if (d.status !== 0) throw new Error(`dump for the bodies of ${log}: ${d.stderr}`)
  return readFileSync(file, "utf8").split("\n").filter((l) => l !== "").length
}
