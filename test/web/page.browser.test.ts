/**
 * The status page in a real browser: Debian's headless Chromium driven by playwright-core, against a real
 * StatusServer on 127.0.0.1 whose view is a Ref the tests change. Screenshots go to test-output/web/.
 * Where /usr/bin/chromium is missing these tests are skipped, and say so.
 */
import { existsSync, mkdirSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { Effect, Exit, Ref, Scope } from "effect"
import { type Browser, type BrowserContextOptions, chromium, type Page } from "playwright-core"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import type { WidgetStatus, WidgetView } from "../../src/domain/Widget.js"
import { startStatusServer } from "../../src/main/web/StatusServer.js"
import { ADVICE, hourly, REASON, RULESET, STATES, viewFor } from "./views.js"

// Debian's chromium; CHROMIUM_PATH points elsewhere (or at nothing, to see the skip message).
const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium"
const hasChromium = existsSync(CHROMIUM)
const skipReason = `${CHROMIUM} not found; install it with: apt-get install -y chromium`
if (!hasChromium) console.warn(`status page browser tests SKIPPED: ${skipReason}`)

const SHOTS = fileURLToPath(new URL("../../test-output/web/", import.meta.url))
const HOSTILE = "<img src=x onerror=window.__pwned=1>"

interface Served {
  readonly url: string
  readonly port: number
  readonly stop: () => Promise<void>
}

const servers: Array<Served> = []

const serve = async (view: Ref.Ref<WidgetView>, port = 0, refreshMs?: number): Promise<Served> => {
  const scope = Effect.runSync(Scope.make())
  const bound = await Effect.runPromise(
    startStatusServer({ port, view: Ref.get(view), ...(refreshMs === undefined ? {} : { refreshMs }) }).pipe(Scope.extend(scope))
  )
  let stopped = false
  const served = {
    url: bound.url,
    port: bound.port,
    stop: async () => {
      if (stopped) return
      stopped = true
      await Effect.runPromise(Scope.close(scope, Exit.void))
    }
  }
  servers.push(served)
  return served
}

const refOf = (v: WidgetView) => Effect.runSync(Ref.make(v))

/** Colour family of a computed CSS colour: which of green / amber / red / grey it is. */
const family = (css: string): string => {
  const m = /rgba?\((\d+), (\d+), (\d+)/.exec(css)
  if (m === null) return `unparsed ${css}`
  const [r, g, b] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (Math.max(r, g, b) - Math.min(r, g, b) < 30) return "grey"
  if (g > r && g > b) return "green"
  if (r > b + 60 && g > b + 60) return "amber"
  if (r > g && r > b) return "red"
  return `other ${css}`
}

const EXPECTED_FAMILY: Record<WidgetStatus, string> = {
  ACTIVE: "green",
  DORMANT: "amber",
  DISABLED: "red",
  failed: "grey",
  unconfigured: "grey",
  unknown: "grey"
}
const EXPECTED_TONE: Record<WidgetStatus, string> = {
  ACTIVE: "ok",
  DORMANT: "warn",
  DISABLED: "bad",
  failed: "muted",
  unconfigured: "muted",
  unknown: "muted"
}

describe.skipIf(!hasChromium)(`status page in Chromium${hasChromium ? "" : ` (SKIPPED: ${skipReason})`}`, () => {
  let browser: Browser

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true })
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-quic",
        "--no-first-run",
        "--disable-component-update",
        "--disable-sync"
      ]
    })
  })

  afterAll(async () => {
    await browser?.close()
  })

  afterEach(async () => {
    while (servers.length > 0) await servers.pop()!.stop()
  })

  /** Opens the page and waits for the first successful load; collects script errors and console errors. */
  const open = async (url: string, ctx: BrowserContextOptions = {}) => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 900 }, locale: "en-GB", ...ctx })
    const page = await context.newPage()
    const errors: Array<string> = []
    page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`))
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(`console: ${m.text()}`)
    })
    await page.goto(url)
    await page.waitForSelector("body[data-state=fresh]", { timeout: 10_000 })
    return { page, errors }
  }

  const textOf = (page: Page, selector: string) => page.locator(selector).textContent()
  const overflow = (page: Page) =>
    page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)

  for (const status of STATES) {
    it(`${status}: badge, colour, ruleset, advice and reason; fits a 375 px phone`, async () => {
      const view = viewFor(status, Date.now())
      const server = await serve(refOf(view))
      const { errors, page } = await open(server.url)

      const badge = page.locator("#badge")
      expect(await badge.textContent()).toBe(status.toUpperCase())
      expect(await badge.getAttribute("data-status")).toBe(status)
      expect(await badge.getAttribute("class")).toBe(`badge ${EXPECTED_TONE[status]}`)
      const bg = await badge.evaluate((e) => getComputedStyle(e).backgroundColor)
      expect(family(bg)).toBe(EXPECTED_FAMILY[status])

      const ruleset = RULESET[status]
      expect(await textOf(page, "#ruleset")).toBe(ruleset === null ? "Ruleset not known" : `Serving ${ruleset} rules`)

      const advice = ADVICE[status]
      if (advice === null) expect(await page.locator("#advice").isHidden()).toBe(true)
      else {
        expect(await page.locator("#advice").isVisible()).toBe(true)
        expect(await textOf(page, "#advice")).toBe(advice)
      }
      const reason = REASON[status]
      if (reason === null) expect(await page.locator("#reason").isHidden()).toBe(true)
      else expect(await textOf(page, "#reason")).toBe(reason)
      expect(await page.locator("#service-stale").isHidden()).toBe(true)

      // Without a license answer the service's facts are "not known", not "never".
      const known = status === "ACTIVE" || status === "DORMANT" || status === "DISABLED"
      if (view.lastEvent === null) expect(await textOf(page, "[data-key=lastEvent]")).toBe(known ? "never" : "not known")
      else expect(await page.locator("[data-key=lastEvent] time").getAttribute("datetime")).toBe(view.lastEvent)

      // The agent's own counters and its last delivery error.
      expect(await textOf(page, "[data-key=sent] b")).toBe(String(view.agent.last24h.sent))
      expect(await textOf(page, "[data-key=rejected] b")).toBe(String(view.agent.last24h.rejected))
      expect(await textOf(page, "[data-key=expired] b")).toBe(String(view.agent.last24h.expired))
      if (view.agent.lastDeliveryError === null) expect(await page.locator("#delivery-error").isHidden()).toBe(true)
      else expect(await textOf(page, "#delivery-error")).toContain(view.agent.lastDeliveryError)

      expect(await textOf(page, "#conn")).toContain("refreshes every minute")
      await page.screenshot({ path: `${SHOTS}${status}.png`, fullPage: true })

      await page.setViewportSize({ width: 375, height: 800 })
      expect(await overflow(page)).toBe(0)
      await page.screenshot({ path: `${SHOTS}${status}-phone.png`, fullPage: true })
      expect(errors).toEqual([])
    })
  }

  it("times are shown in the viewer's local time and relative to now", async () => {
    const view = viewFor("ACTIVE", Date.now())
    const server = await serve(refOf(view))
    const { page } = await open(server.url, { timezoneId: "Asia/Kolkata" })
    const hhmm = (t: string, timeZone: string) =>
      new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
        .format(new Date(t))

    const lastEvent = (await textOf(page, "[data-key=lastEvent]")) ?? ""
    expect(lastEvent).toContain(hhmm(view.lastEvent!, "Asia/Kolkata"))
    expect(lastEvent).not.toContain(hhmm(view.lastEvent!, "UTC")) // +05:30 moves the minutes too
    expect(lastEvent).toContain("(3 min ago)")
    expect(await page.locator("[data-key=lastEvent] time").getAttribute("datetime")).toBe(view.lastEvent)
    expect(await textOf(page, "[data-key=lastHeartbeat]")).toContain("(20 min ago)")
    expect(await textOf(page, "[data-key=lastRuleDownload]")).toContain("(5 h ago)")
    expect(await textOf(page, "[data-key=disableDate]")).toContain("(in 5 days)")
    const next = (await textOf(page, "[data-key=next]")) ?? ""
    expect(next).toContain("DORMANT on")
    expect(next).toContain("(in 1 h 40 min)")
    expect(next).toContain("unless a heartbeat is received")
  })

  it("says when the service could not be asked and an earlier answer is shown", async () => {
    const now = Date.now()
    const view: WidgetView = { ...viewFor("DORMANT", now), stale: { reason: "connect ETIMEDOUT 203.0.113.7:443" } }
    const server = await serve(refOf(view))
    const { errors, page } = await open(server.url)
    expect(await textOf(page, "#badge")).toBe("DORMANT")
    const note = (await textOf(page, "#service-stale")) ?? ""
    expect(await page.locator("#service-stale").isVisible()).toBe(true)
    expect(note).toContain("could not be asked just now (connect ETIMEDOUT 203.0.113.7:443)")
    expect(note).toContain("(10 min ago)") // checkedAt of the fixture
    await page.screenshot({ path: `${SHOTS}service-stale.png`, fullPage: true })
    expect(errors).toEqual([])
  })

  it("draws one bar per hour, scaled to the busiest hour", async () => {
    const now = Date.now()
    const counts = Array.from({ length: 24 }, (_, i) => (i === 5 ? 40 : i === 6 ? 0 : i % 4))
    const view = { ...viewFor("ACTIVE", now) }
    const withHours: WidgetView = { ...view, agent: { ...view.agent, hourly: hourly(now, (i) => counts[i]!) } }
    const server = await serve(refOf(withHours))
    const { page } = await open(server.url)
    const bars = await page.locator("#chart svg rect").evaluateAll((rs) =>
      rs.map((r) => ({
        sent: Number(r.getAttribute("data-sent")),
        height: Number(r.getAttribute("height")),
        zero: r.classList.contains("zero"),
        title: r.querySelector("title")?.textContent ?? ""
      }))
    )
    expect(bars.map((b) => b.sent)).toEqual(counts)
    const tallest = bars.reduce((a, b) => (b.height > a.height ? b : a))
    expect(tallest.sent).toBe(40)
    for (const a of bars) {
      expect(a.zero).toBe(a.sent === 0)
      expect(a.title).toContain(`${a.sent} sent`)
      for (const b of bars) if (a.sent > b.sent) expect(a.height).toBeGreaterThan(b.height)
    }
    const total = counts.reduce((n, c) => n + c, 0)
    expect(await textOf(page, "#chart-total")).toBe(`${total} sent, peak 40 per hour`)
    expect(await page.locator("#chart svg").getAttribute("aria-label")).toContain(`${total} in all`)
  })

  it("a hostile string from the service renders as text and runs nothing", async () => {
    const now = Date.now()
    const base = viewFor("failed", now)
    const other = "\"><svg onload=window.__pwned=2><script>window.__pwned=3</script>"
    const hostile: WidgetView = {
      ...base,
      status: HOSTILE as WidgetStatus,
      reason: HOSTILE,
      advice: other,
      ruleset: HOSTILE as WidgetView["ruleset"],
      lastEvent: HOSTILE,
      stale: { reason: HOSTILE },
      next: { to: HOSTILE, at: HOSTILE, unless: other },
      agent: {
        ...base.agent,
        lastSend: { at: HOSTILE, ok: false, message: HOSTILE },
        lastHeartbeat: { at: base.generatedAt, ok: true, message: other },
        lastDeliveryError: HOSTILE,
        hourly: [{ hour: HOSTILE, sent: 3 }, ...base.agent.hourly.slice(1)]
      }
    }
    const server = await serve(refOf(hostile))
    const { errors, page } = await open(server.url)

    expect(await textOf(page, "#reason")).toBe(HOSTILE)
    expect(await textOf(page, "#advice")).toBe(other)
    expect(await textOf(page, "#badge")).toBe(HOSTILE.toUpperCase())
    expect(await page.locator("#badge").getAttribute("class")).toBe("badge muted")
    expect(await textOf(page, "#ruleset")).toBe(`Serving ${HOSTILE} rules`)
    expect(await textOf(page, "[data-key=lastEvent]")).toBe(HOSTILE)
    expect(await textOf(page, "[data-key=lastSend]")).toContain(HOSTILE)
    expect(await textOf(page, "#delivery-error")).toContain(HOSTILE)
    expect(await textOf(page, "#service-stale")).toContain(`(${HOSTILE})`)
    expect(await page.getByText(HOSTILE, { exact: true }).first().isVisible()).toBe(true)

    // Nothing became markup: no element from the strings, no handler attributes, the one script is the page's.
    const dom = await page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: unknown }).__pwned,
      imgs: document.querySelectorAll("img").length,
      scripts: document.querySelectorAll("script").length,
      svgs: document.querySelectorAll("svg").length,
      handlers: Array.from(document.querySelectorAll("*")).flatMap((e) =>
        Array.from(e.attributes).filter((a) => a.name.startsWith("on")).map((a) => a.name)
      )
    }))
    expect(dom).toEqual({ pwned: undefined, imgs: 0, scripts: 1, svgs: 1, handlers: [] })
    await page.screenshot({ path: `${SHOTS}hostile.png`, fullPage: true })
    await page.setViewportSize({ width: 375, height: 800 })
    expect(await overflow(page)).toBe(0)
    expect(errors).toEqual([])
  })

  it("long unbroken values wrap at phone width", async () => {
    const long = `https://telemetry.example.test/${"x".repeat(400)}`
    const base = viewFor("failed", Date.now())
    const server = await serve(refOf({
      ...base,
      reason: `connection refused by ${long}`,
      advice: long,
      agent: { ...base.agent, lastDeliveryError: long, lastSend: { at: base.generatedAt, ok: false, message: long } }
    }))
    const { page } = await open(server.url, { viewport: { width: 375, height: 800 } })
    expect(await overflow(page)).toBe(0)
    const widest = await page.evaluate(() =>
      Math.max(...Array.from(document.querySelectorAll("main *")).map((e) => e.getBoundingClientRect().right))
    )
    expect(widest).toBeLessThanOrEqual(375)
    await page.screenshot({ path: `${SHOTS}long-values-phone.png`, fullPage: true })
  })

  it("the Content-Security-Policy blocks inline handlers injected into the page", async () => {
    const server = await serve(refOf(viewFor("ACTIVE", Date.now())))
    const { page } = await open(server.url)
    const violated = await page.evaluate(() =>
      new Promise<Array<string>>((resolve) => {
        const seen: Array<string> = []
        document.addEventListener("securitypolicyviolation", (e) => {
          seen.push(e.effectiveDirective)
          if (e.effectiveDirective.startsWith("script-src")) resolve(seen)
        })
        setTimeout(() => resolve(seen), 3000)
        const div = document.createElement("div")
        div.innerHTML = `<img src="x" onerror="window.__csp = 1"><svg><a onclick="window.__csp = 2"></a></svg>`
        document.body.appendChild(div)
        div.querySelector("a")!.dispatchEvent(new MouseEvent("click"))
      })
    )
    expect(violated.some((d) => d.startsWith("script-src"))).toBe(true)
    expect(await page.evaluate(() => (window as unknown as { __csp?: unknown }).__csp)).toBeUndefined()
  })

  it("updates itself after the state changes", async () => {
    const ref = refOf(viewFor("ACTIVE", Date.now()))
    const server = await serve(ref)
    const { errors, page } = await open(`${server.url}?refresh=250`)
    expect(await textOf(page, "#badge")).toBe("ACTIVE")
    expect(await textOf(page, "#conn")).toContain("refreshes every 250 ms")

    Effect.runSync(Ref.set(ref, viewFor("DISABLED", Date.now())))
    await page.waitForFunction(() => document.querySelector("#badge")?.getAttribute("data-status") === "DISABLED", null, {
      timeout: 10_000
    })
    expect(await textOf(page, "#ruleset")).toBe("Serving ET Open rules")
    expect(await textOf(page, "#advice")).toBe(ADVICE.DISABLED)
    expect(await page.title()).toBe("DISABLED · ET Pro Telemetry status")
    expect(errors).toEqual([])
  })

  it("says clearly when the API cannot be reached, keeps the last data marked stale, and recovers", async () => {
    const ref = refOf(viewFor("ACTIVE", Date.now()))
    const first = await serve(ref)
    const { page } = await open(`${first.url}?refresh=250`)
    expect(await page.evaluate(() => document.body.classList.contains("stale"))).toBe(false)

    await first.stop()
    await page.waitForSelector("body[data-state=stale]", { timeout: 10_000 })
    const conn = (await textOf(page, "#conn")) ?? ""
    expect(conn).toContain("Cannot reach the status API (no connection)")
    expect(conn).toContain("Showing stale data from")
    expect(await page.locator("#conn").getAttribute("class")).toBe("conn down")
    expect(await page.evaluate(() => document.body.classList.contains("stale"))).toBe(true)
    expect(await textOf(page, "#badge")).toBe("ACTIVE") // the last data stays on screen
    expect(await page.title()).toBe("(stale) ACTIVE · ET Pro Telemetry status")
    await page.screenshot({ path: `${SHOTS}unreachable.png`, fullPage: true })

    // Back on the same port with news: the page picks it up by itself.
    Effect.runSync(Ref.set(ref, viewFor("DORMANT", Date.now())))
    await serve(ref, first.port)
    await page.waitForSelector("body[data-state=fresh]", { timeout: 10_000 })
    expect(await textOf(page, "#badge")).toBe("DORMANT")
    expect(await page.evaluate(() => document.body.classList.contains("stale"))).toBe(false)
    expect(await textOf(page, "#conn")).toContain("Updated")
  })

  it("an API error (HTTP 500) is reported the same way", async () => {
    const failing = Effect.runSync(Ref.make(false))
    const scope = Effect.runSync(Scope.make())
    const bound = await Effect.runPromise(
      startStatusServer({
        port: 0,
        view: Effect.flatMap(Ref.get(failing), (f) => f ? Effect.die("boom") : Effect.succeed(viewFor("DORMANT", Date.now())))
      }).pipe(Scope.extend(scope))
    )
    servers.push({ url: bound.url, port: bound.port, stop: () => Effect.runPromise(Scope.close(scope, Exit.void)) })
    const { page } = await open(`${bound.url}?refresh=250`)
    Effect.runSync(Ref.set(failing, true))
    await page.waitForSelector("body[data-state=stale]", { timeout: 10_000 })
    expect(await textOf(page, "#conn")).toContain("Cannot reach the status API (HTTP 500)")
    expect(await textOf(page, "#badge")).toBe("DORMANT")
  })

  it("an API that does not answer is reported as timed out", async () => {
    const hang = Effect.runSync(Ref.make(false))
    const scope = Effect.runSync(Scope.make())
    const bound = await Effect.runPromise(
      startStatusServer({
        port: 0,
        view: Effect.flatMap(Ref.get(hang), (h) => h ? Effect.never : Effect.succeed(viewFor("ACTIVE", Date.now())))
      }).pipe(Scope.extend(scope))
    )
    servers.push({ url: bound.url, port: bound.port, stop: () => Effect.runPromise(Scope.close(scope, Exit.void)) })
    const { page } = await open(`${bound.url}?refresh=250`)
    Effect.runSync(Ref.set(hang, true))
    // A request is given max(refresh, 2 s), at most 15 s.
    await page.waitForSelector("body[data-state=stale]", { timeout: 10_000 })
    expect(await textOf(page, "#conn")).toContain("Cannot reach the status API (timed out)")
    expect(await textOf(page, "#badge")).toBe("ACTIVE")
  })

  it("a fresh install with nothing recorded yet shows placeholders, not errors", async () => {
    const empty: WidgetView = {
      status: "unconfigured",
      reason: null,
      ruleset: null,
      lastEvent: null,
      lastRuleDownload: null,
      lastHeartbeat: null,
      disableDate: null,
      next: null,
      advice: ADVICE.unconfigured,
      agent: {
        lastSend: null,
        lastHeartbeat: null,
        lastRules: null,
        counters: { read: 0, selected: 0, sent: 0, rejected: 0, expired: 0, skippedBadLine: 0 },
        last24h: { sent: 0, rejected: 0, expired: 0 },
        hourly: [],
        lastDeliveryError: null
      },
      checkedAt: null,
      generatedAt: new Date().toISOString()
    }
    const server = await serve(refOf(empty))
    const { errors, page } = await open(server.url, { colorScheme: "dark" })
    expect(await textOf(page, "[data-key=lastRuleDownload]")).toBe("never")
    expect(await textOf(page, "[data-key=disableDate]")).toBe("not known")
    expect(await textOf(page, "[data-key=lastSend]")).toBe("not yet")
    expect(await textOf(page, "#chart-total")).toBe("no hourly figures yet")
    expect(await page.locator("#chart svg").count()).toBe(0)
    expect(await page.locator("#axis").isHidden()).toBe(true)
    expect(family(await page.locator("#badge").evaluate((e) => getComputedStyle(e).backgroundColor))).toBe("grey")
    await page.screenshot({ path: `${SHOTS}empty-dark.png`, fullPage: true })
    expect(errors).toEqual([])
  })

  it("the server's refresh option sets the interval; a query below 100 ms is ignored", async () => {
    const ref = refOf(viewFor("ACTIVE", Date.now()))
    const server = await serve(ref, 0, 300)
    const { page } = await open(`${server.url}?refresh=5`)
    expect(await textOf(page, "#conn")).toContain("refreshes every 300 ms")
    Effect.runSync(Ref.set(ref, viewFor("DORMANT", Date.now())))
    await page.waitForFunction(() => document.querySelector("#badge")?.textContent === "DORMANT", null, { timeout: 10_000 })
  })

  it("a partial view (an older or newer agent) shows what is there without script errors", async () => {
    const partial = { status: "DISABLED", advice: "partial", agent: { hourly: "not a list", last24h: null } }
    const server = await serve(refOf(partial as unknown as WidgetView))
    const { errors, page } = await open(server.url)
    expect(await textOf(page, "#badge")).toBe("DISABLED")
    expect(await textOf(page, "#advice")).toBe("partial")
    expect(await textOf(page, "[data-key=sent] b")).toBe("0")
    expect(await textOf(page, "#chart-total")).toBe("no hourly figures yet")
    expect(await textOf(page, "#ruleset")).toBe("Ruleset not known")
    expect(errors).toEqual([])
  })

  it("a response that is not a status view is reported, not rendered", async () => {
    const server = await serve(refOf(viewFor("ACTIVE", Date.now())))
    const { page } = await open(`${server.url}?refresh=250`)
    // From now on the API answers with something else (as a wrong program on the port would).
    await page.route("**/api/status", (route) => route.fulfill({ status: 200, contentType: "application/json", body: "[1,2,3]" }))
    await page.waitForSelector("body[data-state=stale]", { timeout: 10_000 })
    expect(await textOf(page, "#conn")).toContain("(unexpected response)")
    expect(await textOf(page, "#badge")).toBe("ACTIVE")

    // Not JSON at all; and then the real API again: the loop kept going throughout.
    await page.unroute("**/api/status")
    await page.route("**/api/status", (route) => route.fulfill({ status: 200, contentType: "text/html", body: "<h1>hi</h1>" }))
    await page.waitForFunction(() => document.querySelector("#conn")?.textContent?.includes("(unreadable response)"), null, {
      timeout: 10_000
    })
    await page.unroute("**/api/status")
    await page.waitForSelector("body[data-state=fresh]", { timeout: 10_000 })
  })
})
