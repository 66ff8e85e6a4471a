/**
 * The OPNsense dashboard widget (contrib/opnsense/.../ETProTelemetry.js) in Chromium, loaded the way OPNsense
 * core stable/25.7 loads it (./opnsense-dashboard/: dashboard.volt's classic scripts BaseWidget.js and
 * BaseTableWidget.js, which export nothing; the widget manager's `import('/ui/js/widgets/' + module)` and its
 * default export; translations from the widget's Metadata XML through get_dashboard, offered only when our
 * ACL lets the user call the widget's endpoint), against a stand-in for /api/diagnostics/proofpoint_et/status
 * answering as `sensor-info` does.
 *
 * With OPNSENSE_CORE=<checkout of opnsense/core at stable/25.7>, BaseWidget.js, BaseTableWidget.js and jQuery
 * are OPNsense's own files from that checkout instead of our stand-ins.
 *
 * Screenshots of every state, light and dark theme, at three dashboard widths (300 px: a narrow column, the
 * cells stacked under BaseTableWidget's 450 px breakpoint; 460 and 620 px: side by side) go to
 * test-output/opnsense/<state>-<theme>-<width>.png. Skipped, and says so, without Chromium.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { type Browser, chromium, type Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Dashboard, startDashboard, usingRealCore, WIDGETS } from "./opnsense-dashboard/DashboardServer.js"

const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium"
const hasChromium = existsSync(CHROMIUM)
const skipReason = `${CHROMIUM} not found; install it with: apt-get install -y chromium`
if (!hasChromium) console.warn(`OPNsense widget browser tests SKIPPED: ${skipReason}`)
if (hasChromium) console.log(`OPNsense widget: BaseWidget.js / BaseTableWidget.js ${usingRealCore ? `from ${process.env["OPNSENSE_CORE"]}` : "stand-ins"}`)

const SHOTS = fileURLToPath(new URL("../../test-output/opnsense/", import.meta.url))
const HOSTILE = "<img src=x onerror=window.__pwned=1>"
const THEMES = ["light", "dark"] as const
const WIDTHS = [300, 460, 620] as const
const FIELDS = ["sensor_status", "event_received", "last_rule_download", "last_heartbeat", "disable_date", "ruleset"]

let dash: Dashboard
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
  readonly page: Page
  readonly errors: Array<string>
  readonly cells: Record<string, string>
  readonly statusClass: string
  readonly errorShown: boolean
  readonly error: string
  readonly title: string
}

/** Opens the dashboard with the widget on it and reads what the widget shows. */
const open = async (api: unknown, theme: string, width: number): Promise<Shown> => {
  dash.answer = api
  const page = await browser.newPage({ viewport: { width: 680, height: 480 } })
  const errors: Array<string> = []
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`))
  page.on("console", (m) => {
    // Chromium logs the failed API call itself; the widget must handle it, not the console.
    if (m.type() === "error" && !/the server responded with a status of 500/.test(m.text())) errors.push(`console: ${m.text()}`)
  })
  await page.goto(`${dash.url}?theme=${theme}&width=${width}`)
  await page.waitForSelector("body[data-done='1']", { timeout: 15_000 })
  // Everything is on the page once the first tick is done: read it in one go, without waiting.
  const seen = await page.evaluate((fields) => {
    const text = (id: string) => document.getElementById(id)?.textContent ?? "(missing)"
    const errorRow = document.getElementById("etpro_telemetry_error")?.closest<HTMLElement>(".flextable-row")
    return {
      cells: Object.fromEntries(fields.map((f) => [f, text(`etpro_telemetry_${f}`)])),
      statusClass: document.getElementById("etpro_telemetry_sensor_status")?.className ?? "",
      errorShown: errorRow !== null && errorRow !== undefined && errorRow.offsetParent !== null,
      error: text("etpro_telemetry_error"),
      title: text("etpro_telemetry-title")
    }
  }, FIELDS)
  const { cells, statusClass, errorShown, error, title } = seen
  return { page, errors, cells, statusClass, errorShown, error, title }
}

/** Resizes the widget to each dashboard width and saves a screenshot; checks the table follows the breakpoint. */
const shoot = async (page: Page, name: string, theme: string) => {
  for (const w of WIDTHS) {
    await page.evaluate((px) => document.documentElement.style.setProperty("--widget-width", `${px}px`), w)
    // BaseTableWidget's sizeStates: cells stacked (100 %) under 450 px, two columns at or above it.
    const stacked = w < 450
    await page.waitForFunction(
      (s) => Array.from(document.querySelectorAll<HTMLElement>(".flextable-row .flex-cell")).every((c) => (c.style.width === "100%") === s),
      stacked,
      { timeout: 5_000 }
    )
    await page.locator(".grid-stack").screenshot({ path: `${SHOTS}${name}-${theme}-${w}.png` })
  }
}

const dashes = { sensor_status: "-", event_received: "-", last_rule_download: "-", last_heartbeat: "-", disable_date: "-", ruleset: "-" }

interface State {
  readonly name: string
  readonly api: unknown
  readonly check: (s: Shown) => void
}

const licensed = (name: string, sent: string, shown: string, tone: string, ruleset: string): State => ({
  name,
  api: ok(sent),
  check: (s) => {
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
  }
})

const failing = (name: string, api: unknown, message: (e: string) => void): State => ({
  name,
  api,
  check: (s) => {
    expect(s.cells).toEqual(dashes)
    expect(s.errorShown).toBe(true)
    message(s.error)
  }
})

const STATES: ReadonlyArray<State> = [
  licensed("active", "active", "ACTIVE", "text-success", "ET Pro"),
  licensed("dormant", "dormant", "DORMANT", "text-warning", "ET Pro"),
  licensed("disabled", "disabled", "DISABLED", "text-danger", "ET Open"),
  // The status is compared case-insensitively: older services sent upper case.
  licensed("active-upper-case", "ACTIVE", "ACTIVE", "text-success", "ET Pro"),
  failing("unreachable", { status: "failed", response: "connect ECONNREFUSED 203.0.113.7:443" }, (e) =>
    expect(e).toBe("The sensor cannot reach the telemetry service: connect ECONNREFUSED 203.0.113.7:443")
  ),
  failing("unconfigured", { status: "unconfigured" }, (e) => {
    expect(e).toContain("No telemetry token")
    expect(e).toContain("et_telemetry.token")
  }),
  // configd's "Execute error" or a missing agent: the controller answers 500 or a page that is not JSON.
  failing("no-agent", 500, (e) => expect(e).toContain("No answer from the etpro-telemetry agent")),
  failing("not-json", "<html>Execute error</html>", (e) => expect(e).toContain("No answer from the etpro-telemetry agent"))
]

describe.skipIf(!hasChromium)(`OPNsense dashboard widget in Chromium${hasChromium ? "" : ` (SKIPPED: ${skipReason})`}`, () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true })
    dash = await startDashboard()
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-component-update"]
    })
  })

  afterAll(async () => {
    await browser?.close()
    await dash?.close()
  })

  for (const state of STATES) {
    it(`${state.name}: shown as expected in both themes, at every width`, async () => {
      for (const theme of THEMES) {
        const s = await open(state.api, theme, 460)
        expect(s.errors).toEqual([])
        state.check(s)
        expect(s.title).toBe("ET Pro Telemetry")
        await shoot(s.page, state.name, theme)
        await s.page.close()
      }
    })
  }

  it("is loaded as OPNsense loads it: by dynamic import, through its default export, pulling in no other module", async () => {
    dash.requested.length = 0
    const s = await open(ok("active"), "light", 460)
    expect(s.errors).toEqual([])
    const scripts = dash.requested.filter((p) => p.startsWith("/ui/js/")).sort()
    expect(scripts).toEqual([
      "/ui/js/jquery.js",
      "/ui/js/opnsense_widget_manager.js",
      "/ui/js/widgets/BaseTableWidget.js",
      "/ui/js/widgets/BaseWidget.js",
      "/ui/js/widgets/ETProTelemetry.js"
    ])
    // The base classes are the page's globals, exported by nothing; the widget's class extends them.
    expect(await s.page.evaluate(() => typeof (window as unknown as { BaseTableWidget?: unknown }).BaseTableWidget)).toBe("undefined")
    expect(await s.page.evaluate(() => {
      const w = (window as unknown as { __manager: { widgetClasses: Record<string, object> } }).__manager.widgetClasses["etpro_telemetry"]
      // eslint-disable-next-line no-undef
      return w instanceof (eval("BaseTableWidget") as new () => object) && w instanceof (eval("BaseWidget") as new () => object)
    })).toBe(true)
    // sensor-info asks the service each time: at most every few minutes.
    expect(await s.page.evaluate(() => (window as unknown as { __manager: { widgetClasses: Record<string, { tickTimeout: number }> } }).__manager.widgetClasses["etpro_telemetry"]!.tickTimeout)).toBeGreaterThanOrEqual(60)
    await s.page.close()
  })

  it("a widget that imports from BaseTableWidget.js fails here as it does in OPNsense (the check can fail)", async () => {
    dash.widgetSource = `import BaseTableWidget from "./BaseTableWidget.js";\n${readFileSync(join(WIDGETS, "ETProTelemetry.js"), "utf8")}`
    try {
      const s = await open(ok("active"), "light", 460)
      expect(s.errors.join("\n")).toMatch(/Could not import module/)
      expect(await s.page.locator(".widget-error").textContent()).toBe("Failed to load widget")
      expect(s.cells["sensor_status"]).toBe("(missing)")
      await s.page.close()
    } finally {
      dash.widgetSource = undefined
    }
  })

  it("hostile strings from the service stay text: nothing runs, nothing is parsed as markup", async () => {
    const hostile = { ...ok(HOSTILE), event_received: HOSTILE, last_heartbeat: "</div><script>window.__pwned=2</script>" }
    const s = await open(hostile, "light", 460)
    expect(s.cells["sensor_status"]).toBe(HOSTILE.toUpperCase())
    expect(s.cells["event_received"]).toBe(HOSTILE)
    expect(s.cells["last_heartbeat"]).toBe("</div><script>window.__pwned=2</script>")
    expect(s.cells["ruleset"]).toBe("-")
    expect(s.statusClass.split(" ")).toContain("text-muted")
    await shoot(s.page, "hostile", "light")
    const failed = await open({ status: "failed", response: HOSTILE }, "dark", 460)
    expect(failed.error).toBe(`The sensor cannot reach the telemetry service: ${HOSTILE}`)
    await shoot(failed.page, "hostile-failed", "dark")
    for (const p of [s.page, failed.page]) {
      await p.waitForTimeout(50)
      expect(await p.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined()
      expect(await p.locator(".grid-stack img, .grid-stack script").count()).toBe(0)
      await p.close()
    }
  })
})
