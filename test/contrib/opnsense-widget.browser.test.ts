/**
 * The OPNsense dashboard widget (contrib/opnsense/.../ETProTelemetry.js) in Chromium, on a small stand-in
 * for OPNsense's BaseTableWidget and jQuery (./opnsense-dashboard/), with its translations read from its
 * metadata XML, against a loopback stand-in for /api/diagnostics/proofpoint_et/status answering as
 * `sensor-info` does. Screenshots go to test-output/opnsense/. Skipped, and says so, without Chromium.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { type Browser, chromium, type Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium"
const hasChromium = existsSync(CHROMIUM)
const skipReason = `${CHROMIUM} not found; install it with: apt-get install -y chromium`
if (!hasChromium) console.warn(`OPNsense widget browser tests SKIPPED: ${skipReason}`)

const SHOTS = fileURLToPath(new URL("../../test-output/opnsense/", import.meta.url))
const WIDGETS = join(import.meta.dirname, "../../contrib/opnsense/src/opnsense/www/js/widgets")
const STANDIN = join(import.meta.dirname, "opnsense-dashboard")
const HOSTILE = "<img src=x onerror=window.__pwned=1>"

const FILES: Record<string, [string, string]> = {
  "/": [join(STANDIN, "index.html"), "text/html"],
  "/jquery-standin.js": [join(STANDIN, "jquery-standin.js"), "text/javascript"],
  "/widgets/BaseTableWidget.js": [join(STANDIN, "BaseTableWidget.js"), "text/javascript"],
  "/widgets/ETProTelemetry.js": [join(WIDGETS, "ETProTelemetry.js"), "text/javascript"],
  "/widgets/Metadata/etpro-telemetry.xml": [join(WIDGETS, "Metadata/etpro-telemetry.xml"), "application/xml"]
}

/** What the API answers next: sensor-info's JSON, or an HTTP error status. */
let answer: unknown = null
let server: Server
let base: string
let browser: Browser

const ok = (sensor_status: string) => ({
  status: "ok",
  sensor_status,
  created: "2026-11-01T08:00:00Z",
  event_received: "2026-11-29T09:15:42.123456+00:00",
  last_rule_download: "2026-11-29T03:12:00Z",
  last_heartbeat: "2026-11-29T09:00:05Z",
  disable_date: "2026-12-04T09:15:42Z"
})

interface Shown {
  readonly cells: Record<string, string>
  readonly statusClass: string
  readonly errorShown: boolean
  readonly error: string
}

const FIELDS = ["sensor_status", "event_received", "last_rule_download", "last_heartbeat", "disable_date", "ruleset"]

/** Loads the stand-in dashboard with the widget and reads what it shows. */
const show = async (name: string, api: unknown): Promise<Shown & { page: Page; errors: Array<string> }> => {
  answer = api
  const page = await browser.newPage({ viewport: { width: 500, height: 420 } })
  const errors: Array<string> = []
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`))
  page.on("console", (m) => {
    if (m.type() === "error" && !/status of 500/.test(m.text())) errors.push(`console: ${m.text()}`)
  })
  await page.goto(base)
  await page.waitForSelector("body[data-done='1']", { timeout: 10_000 })
  const cells: Record<string, string> = {}
  for (const f of FIELDS) cells[f] = (await page.locator(`#etpro_telemetry_${f}`).textContent()) ?? ""
  const statusClass = (await page.locator("#etpro_telemetry_sensor_status").getAttribute("class")) ?? ""
  const errorRow = page.locator(".flextable-row", { has: page.locator("#etpro_telemetry_error") })
  const errorShown = await errorRow.isVisible()
  const error = (await page.locator("#etpro_telemetry_error").textContent()) ?? ""
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true })
  return { page, errors, cells, statusClass, errorShown, error }
}

describe.skipIf(!hasChromium)(`OPNsense dashboard widget in Chromium${hasChromium ? "" : ` (SKIPPED: ${skipReason})`}`, () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true })
    server = createServer((req, res) => {
      if (req.url === "/api/diagnostics/proofpoint_et/status") {
        if (typeof answer === "number") res.writeHead(answer).end()
        else res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer))
        return
      }
      if (req.url === "/favicon.ico") return void res.writeHead(204).end()
      const file = FILES[req.url ?? ""]
      if (file === undefined) return void res.writeHead(404).end()
      res.writeHead(200, { "content-type": file[1] }).end(readFileSync(file[0]))
    })
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-component-update"]
    })
  })

  afterAll(async () => {
    await browser?.close()
    await new Promise((r) => server?.close(r))
  })

  const LICENSED = [
    ["active", "ACTIVE", "text-success", "ET Pro"],
    ["dormant", "DORMANT", "text-warning", "ET Pro"],
    ["disabled", "DISABLED", "text-danger", "ET Open"],
    // The status is compared case-insensitively: older services sent upper case.
    ["ACTIVE", "ACTIVE", "text-success", "ET Pro"]
  ] as const

  for (const [sent, shown, tone, ruleset] of LICENSED) {
    it(`sensor_status "${sent}": ${shown}, its dates and ${ruleset}, no error row`, async () => {
      const s = await show(sent === "ACTIVE" ? "active-upper-case" : sent, ok(sent))
      expect(s.cells).toEqual({
        sensor_status: shown,
        event_received: "2026-11-29 09:15 UTC",
        last_rule_download: "2026-11-29 03:12 UTC",
        last_heartbeat: "2026-11-29 09:00 UTC",
        disable_date: "2026-12-04 09:15 UTC",
        ruleset
      })
      expect(s.statusClass.split(" ")).toContain(tone)
      expect(s.errorShown).toBe(false)
      expect(await s.page.locator("#title").textContent()).toBe("ET Pro Telemetry")
      expect(s.errors).toEqual([])
      await s.page.close()
    })
  }

  const dashes = { sensor_status: "-", event_received: "-", last_rule_download: "-", last_heartbeat: "-", disable_date: "-", ruleset: "-" }

  it("unreachable: the sensor cannot reach the service → an error row with the reason, no values", async () => {
    const s = await show("unreachable", { status: "failed", response: "connect ECONNREFUSED 203.0.113.7:443" })
    expect(s.cells).toEqual(dashes)
    expect(s.errorShown).toBe(true)
    expect(s.error).toBe("The sensor cannot reach the telemetry service: connect ECONNREFUSED 203.0.113.7:443")
    expect(s.errors).toEqual([])
    await s.page.close()
  })

  it("unconfigured: no token → an error row saying where the token goes", async () => {
    const s = await show("unconfigured", { status: "unconfigured" })
    expect(s.cells).toEqual(dashes)
    expect(s.errorShown).toBe(true)
    expect(s.error).toContain("No telemetry token")
    expect(s.error).toContain("et_telemetry.token")
    await s.page.close()
  })

  it("no agent: the API fails (configd's Execute error, agent not installed) → an error row", async () => {
    const s = await show("no-agent", 500)
    expect(s.cells).toEqual(dashes)
    expect(s.errorShown).toBe(true)
    expect(s.error).toContain("No answer from the etpro-telemetry agent")
    await s.page.close()
  })

  it("hostile strings from the service stay text: nothing runs, nothing is parsed as markup", async () => {
    const hostile = { ...ok(HOSTILE), event_received: HOSTILE, last_heartbeat: "</div><script>window.__pwned=2</script>" }
    const s = await show("hostile", hostile)
    expect(s.cells["sensor_status"]).toBe(HOSTILE.toUpperCase())
    expect(s.cells["event_received"]).toBe(HOSTILE)
    expect(s.cells["last_heartbeat"]).toBe("</div><script>window.__pwned=2</script>")
    expect(s.cells["ruleset"]).toBe("-")
    expect(s.statusClass.split(" ")).toContain("text-muted")
    const failed = await show("hostile-failed", { status: "failed", response: HOSTILE })
    expect(failed.error).toBe(`The sensor cannot reach the telemetry service: ${HOSTILE}`)
    for (const p of [s.page, failed.page]) {
      await p.waitForTimeout(50)
      expect(await p.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined()
      expect(await p.locator("#widget img, #widget script").count()).toBe(0)
      await p.close()
    }
  })

  it("refreshes at most every few minutes (sensor-info asks the service each time)", async () => {
    const s = await show("tick", ok("active"))
    expect(await s.page.evaluate(() => (window as { __tick?: number }).__tick)).toBeGreaterThanOrEqual(60)
    await s.page.close()
  })
})
