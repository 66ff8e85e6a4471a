/**
 * End to end: the real CLI (`service` and `status --serve`, run from source by tsx as child processes) and the
 * page in headless Chromium. A freshly registered sensor without a heartbeat is DORMANT (SPEC section 7).
 */
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, mkdirSync } from "node:fs"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { type Browser, chromium } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium"
const hasChromium = existsSync(CHROMIUM)
const skipReason = `${CHROMIUM} not found; install it with: apt-get install -y chromium`
if (!hasChromium) console.warn(`status --serve browser test SKIPPED: ${skipReason}`)

const REPO = fileURLToPath(new URL("../../", import.meta.url))
const SHOTS = join(REPO, "test-output/web/")
const TOKEN = "e2e-web-token-0123456789abcdef"

const children: Array<ChildProcess> = []

/** Starts `etpro-telemetry ARGS` from source and resolves with the URL of its `listening on` line. */
const startCli = (args: ReadonlyArray<string>): Promise<string> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/main/bin.ts", ...args], {
      cwd: REPO,
      stdio: ["ignore", "pipe", "pipe"]
    })
    children.push(child)
    let out = ""
    let err = ""
    const timer = setTimeout(() => reject(new Error(`no "listening on" from ${args[0]} in 60 s; stderr: ${err}`)), 60_000)
    child.stdout!.setEncoding("utf8").on("data", (c: string) => {
      out += c
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m !== null) {
        clearTimeout(timer)
        resolve(m[1]!.replace(/\/$/, ""))
      }
    })
    child.stderr!.setEncoding("utf8").on("data", (c: string) => (err += c))
    child.on("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`${args[0]} exited with ${code}; stderr: ${err}`))
    })
  })

describe.skipIf(!hasChromium)(`status --serve in Chromium${hasChromium ? "" : ` (SKIPPED: ${skipReason})`}`, () => {
  let browser: Browser
  let root: string

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true })
    root = await mkdtemp(join(tmpdir(), "etpro-web-e2e-"))
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
        "--no-first-run", "--disable-component-update", "--disable-sync"]
    })
  }, 60_000)

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGTERM")
    await browser?.close()
    if (root !== undefined) await rm(root, { recursive: true, force: true })
  })

  it("the page served by `status --serve` shows the reference service's answer", async () => {
    const config = join(root, "usr/local/etc/suricata/rule-updater.config")
    mkdirSync(dirname(config), { recursive: true })
    await writeFile(config, `[__properties__]\net_telemetry.token = ${TOKEN}\n`, { mode: 0o600 })

    const service = await startCli(["service", "--listen", "127.0.0.1:0", "--token", TOKEN])
    const status = await startCli(["status", "--serve", "127.0.0.1:0", "--root", root, "--base-url", service])
    expect(status).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)

    const api = (await (await fetch(`${status}/api/status`)).json()) as { status: string; ruleset: string }
    expect(api.status).toBe("DORMANT")

    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } })
    const errors: Array<string> = []
    page.on("pageerror", (e) => errors.push(e.message))
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()))
    await page.goto(`${status}/`)
    await page.waitForSelector("body[data-state=fresh]", { timeout: 15_000 })
    expect(await page.locator("#badge").textContent()).toBe("DORMANT")
    expect(await page.locator("#ruleset").textContent()).toBe("Serving ET Pro rules")
    expect(await page.locator("#advice").isVisible()).toBe(true)
    expect((await page.locator("#advice").textContent())?.length).toBeGreaterThan(10)
    expect(await page.locator("#chart-hourly svg g.slot").count()).toBe(24)
    expect(await page.locator("#chart-daily svg g.slot").count()).toBe(7)
    expect(await page.content()).not.toContain(TOKEN)
    await page.screenshot({ path: `${SHOTS}e2e-status-serve.png`, fullPage: true })
    expect(errors).toEqual([])
  }, 120_000)
})
