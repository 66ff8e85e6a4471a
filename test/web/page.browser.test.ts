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
import { ADVICE, daily, hourly, REASON, RULESET, STATES, viewFor } from "./views.js"

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

/** The badge's colour family: its fill, or for the outlined "down" badges (never filled green) its border. */
const EXPECTED_FAMILY: Record<WidgetStatus, string> = {
  ACTIVE: "green",
  DORMANT: "amber",
  DISABLED: "red",
  unreachable: "red",
  failed: "red",
  unconfigured: "grey",
  unknown: "grey"
}
const EXPECTED_TONE: Record<WidgetStatus, string> = {
  ACTIVE: "ok",
  DORMANT: "warn",
  DISABLED: "bad",
  unreachable: "down",
  failed: "down",
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
  /** A 375 px phone, once the charts are redrawn to its width. */
  const toPhone = async (page: Page) => {
    await page.setViewportSize({ width: 375, height: 800 })
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll("svg.chart")).every((s) => Number(s.getAttribute("width")) <= 375), null, { timeout: 5000 })
  }
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
      const down = EXPECTED_TONE[status] === "down"
      const colour = await badge.evaluate((e, d) => d ? getComputedStyle(e).borderTopColor : getComputedStyle(e).backgroundColor, down)
      expect(family(colour)).toBe(EXPECTED_FAMILY[status])

      const ruleset = RULESET[status]
      if (status === "unreachable") {
        // Never the old status as if current: it stands beside the badge as last known, with its age.
        expect(await page.locator("#ruleset").isHidden()).toBe(true)
        expect(await textOf(page, "#last-known")).toBe("last known ACTIVE (ET Pro), 12 min ago")
        expect(await textOf(page, "#service-stale")).toBe(
          `The details below are from its last answer, ${view.checkedAt!.slice(0, 10)} ${view.checkedAt!.slice(11, 16)} UTC (12 min ago).`
        )
        expect(await page.title()).toBe("UNREACHABLE · ET Pro Telemetry status")
      } else {
        expect(await textOf(page, "#ruleset")).toBe(ruleset === null ? "Ruleset not known" : `Serving ${ruleset} rules`)
        expect(await page.locator("#last-known").isHidden()).toBe(true)
        expect(await page.locator("#service-stale").isHidden()).toBe(true)
      }

      const advice = ADVICE[status]
      if (advice === null) expect(await page.locator("#advice").isHidden()).toBe(true)
      else {
        expect(await page.locator("#advice").isVisible()).toBe(true)
        expect(await textOf(page, "#advice")).toBe(advice)
        expect(await textOf(page, "#advice")).not.toContain("`")
        const codes = await page.locator("#advice code").allTextContents()
        expect(codes).toEqual(view.adviceParts!.filter((p) => p.kind === "code").map((p) => p.text))
        expect(codes.length).toBeGreaterThan(0)
      }
      const reason = REASON[status]
      if (reason === null) expect(await page.locator("#reason").isHidden()).toBe(true)
      else expect(await textOf(page, "#reason")).toBe(reason)

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

      await toPhone(page)
      expect(await overflow(page)).toBe(0)
      // No command name is broken across lines: each word of a <code> sits on one line.
      const broken = await page.locator("#advice code .w").evaluateAll((ws) =>
        ws.filter((w) => w.getBoundingClientRect().height > 1.5 * parseFloat(getComputedStyle(w).lineHeight)).map((w) => w.textContent))
      expect(broken).toEqual([])
      await page.screenshot({ path: `${SHOTS}${status}-phone.png`, fullPage: true })
      expect(errors).toEqual([])
    })
  }

  it("every time is shown in one zone, UTC, saying so (as the terminal and the advice do), and relative to now", async () => {
    const view = viewFor("ACTIVE", Date.now())
    const server = await serve(refOf(view))
    const { page } = await open(server.url, { timezoneId: "Asia/Kolkata" })
    const utc = (t: string) => `${t.slice(0, 10)} ${t.slice(11, 16)} UTC`

    const lastEvent = (await textOf(page, "[data-key=lastEvent]")) ?? ""
    expect(lastEvent).toBe(`${utc(view.lastEvent!)} (3 min ago)`)
    expect(await textOf(page, "[data-key=lastSend]")).toContain(utc(view.agent.lastSend!.at))
    expect(await textOf(page, "#conn")).toMatch(/^Updated \d\d:\d\d:\d\d UTC; refreshes every minute\.$/)
    expect(await textOf(page, "#generated")).toContain("All times in UTC.")
    const times = await page.locator("time").allTextContents()
    expect(times.length).toBeGreaterThan(5)
    for (const t of times) expect(t).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/)
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
    expect(note).toContain("could not be asked just now (connect ETIMEDOUT 203.0.113.7:443); the details below are from its answer of")
    expect(note).toContain("(10 min ago)") // checkedAt of the fixture
    await page.screenshot({ path: `${SHOTS}service-stale.png`, fullPage: true })
    expect(errors).toEqual([])
  })

  it("the chart: seen vs sent per hour (24 h) and per day (7 d), scaled to the busiest, with labelled axes", async () => {
    const now = Date.now()
    const counts = Array.from({ length: 24 }, (_, i) => (i === 5 ? 40 : i === 6 ? 0 : i % 4))
    const seen = (i: number) => (i === 5 ? 47 : i === 6 ? 0 : (i % 4) + 2)
    const view = viewFor("ACTIVE", now)
    const withHours: WidgetView = { ...view, agent: { ...view.agent, hourly: hourly(now, (i) => counts[i]!, seen) } }
    const server = await serve(refOf(withHours))
    const { errors, page } = await open(server.url)
    const slots = await page.locator("#chart-hourly svg g.slot").evaluateAll((gs) =>
      gs.map((g) => ({
        sent: Number(g.getAttribute("data-sent")),
        seen: Number(g.getAttribute("data-seen")),
        sentHeight: Number(g.querySelector("rect.sent")?.getAttribute("height") ?? 0),
        seenHeight: Number(g.querySelector("rect.seen")?.getAttribute("height") ?? 0),
        title: g.querySelector("title")?.textContent ?? ""
      }))
    )
    expect(slots.map((b) => b.sent)).toEqual(counts)
    expect(slots.map((b) => b.seen)).toEqual(counts.map((_, i) => seen(i)))
    for (const a of slots) {
      expect(a.title).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:00–\\d\\d:00 UTC: ${a.seen} seen, ${a.sent} sent$`))
      expect(a.sentHeight === 0).toBe(a.sent === 0)
      for (const b of slots) if (a.sent > b.sent) expect(a.sentHeight).toBeGreaterThan(b.sentHeight)
      if (a.seen > 0) expect(a.seenHeight).toBeGreaterThanOrEqual(a.sentHeight)
    }
    // Axes: 0 at the bottom, a round top at or above the busiest (47 seen), alerts up, UTC hours along.
    const svg = page.locator("#chart-hourly svg")
    expect(Number(await svg.getAttribute("data-max"))).toBe(50)
    const ticks = await svg.locator("text.tick").allTextContents()
    expect(ticks.slice(0, 2)).toEqual(["0", "10"])
    expect(ticks).toContain("50")
    expect(ticks.filter((t) => /^\d\d:00$/.test(t)).length).toBe(8) // every 3 h on a desktop
    expect(await svg.locator("text.axis-title").allTextContents()).toEqual(["alerts", "hour (UTC)"])
    const total = counts.reduce((n, c) => n + c, 0)
    const seenTotal = counts.reduce((n, _, i) => n + seen(i), 0)
    expect(await textOf(page, "#chart-hourly-total")).toBe(`${seenTotal} seen, ${total} sent`)
    expect(await svg.getAttribute("aria-label")).toBe(`Alerts per hour, last 24 hours: ${seenTotal} alerts seen, ${total} sent`)

    const days = page.locator("#chart-daily svg")
    expect(await days.locator("g.slot").count()).toBe(7)
    expect(await days.locator("text.axis-title").allTextContents()).toEqual(["alerts", "day (UTC)"])
    expect(await days.locator("g.slot").evaluateAll((gs) => gs.map((g) => Number(g.getAttribute("data-sent")))))
      .toEqual([120, 96, 0, 40, 150, 133, 61])
    const dayLabels = (await days.locator("text.tick").allTextContents()).filter((t) => /^[A-Z][a-z]{2}/.test(t))
    expect(dayLabels).toHaveLength(7)
    expect(dayLabels[6]).toBe(`${["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][new Date(now).getUTCDay()]} ${new Date(now).getUTCDate()}`)
    expect(await page.locator("#chart-hourly-unknown").isHidden()).toBe(true)
    await page.locator("#chart-hourly").screenshot({ path: `${SHOTS}chart.png` })
    await page.screenshot({ path: `${SHOTS}chart-page.png`, fullPage: true })

    // A phone: redrawn to its width, fewer hour labels, nothing overflows.
    await toPhone(page)
    expect(await overflow(page)).toBe(0)
    expect((await page.locator("#chart-hourly svg text.tick").allTextContents()).filter((t) => /^\d\d:00$/.test(t)).length).toBe(4)
    await page.screenshot({ path: `${SHOTS}chart-phone.png`, fullPage: true })
    expect(errors).toEqual([])
  })

  it("hours written by an older agent (seen not counted) draw sent only and say so", async () => {
    const now = Date.now()
    const view = viewFor("ACTIVE", now)
    const server = await serve(refOf({
      ...view,
      agent: { ...view.agent, hourly: hourly(now, () => 2, (i) => (i < 12 ? null : 3)), daily: daily(now, () => 5, () => null) }
    }))
    const { page } = await open(server.url)
    expect(await textOf(page, "#chart-hourly-total")).toBe("48 sent")
    expect(await page.locator("#chart-hourly-unknown").isVisible()).toBe(true)
    expect(await page.locator("#chart-hourly g.slot rect.seen").count()).toBe(12)
    expect(await page.locator("#chart-hourly g.slot title").first().textContent()).toMatch(/seen not counted, 2 sent$/)
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
        hourly: [{ hour: HOSTILE, sent: 3, seen: 4 }, ...base.agent.hourly.slice(1)]
      },
      adviceParts: [{ kind: "text", text: HOSTILE }, { kind: "code", text: other }],
      lastKnown: { status: HOSTILE as WidgetStatus, ruleset: HOSTILE as WidgetView["ruleset"], at: HOSTILE }
    }
    const server = await serve(refOf(hostile))
    const { errors, page } = await open(server.url)

    expect(await textOf(page, "#reason")).toBe(HOSTILE)
    expect(await textOf(page, "#advice")).toBe(HOSTILE + other)
    expect(await textOf(page, "#advice code")).toBe(other)
    expect(await textOf(page, "#last-known")).toBe(`last known ${HOSTILE.toUpperCase()} (${HOSTILE})`)
    expect(await textOf(page, "#badge")).toBe(HOSTILE.toUpperCase())
    expect(await page.locator("#badge").getAttribute("class")).toBe("badge muted")
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
    // The scripts: the page's own and its JSON data block (never run).
    expect(dom).toEqual({ pwned: undefined, imgs: 0, scripts: 2, svgs: 2, handlers: [] })
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
    const server = await serve(ref, 0, 250)
    const { errors, page } = await open(server.url)
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
    const first = await serve(ref, 0, 250)
    const { page } = await open(first.url)
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
    await page.screenshot({ path: `${SHOTS}api-down.png`, fullPage: true })

    // Back on the same port with news: the page picks it up by itself.
    Effect.runSync(Ref.set(ref, viewFor("DORMANT", Date.now())))
    await serve(ref, first.port, 250)
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
        refreshMs: 250,
        view: Effect.flatMap(Ref.get(failing), (f) => f ? Effect.die("boom") : Effect.succeed(viewFor("DORMANT", Date.now())))
      }).pipe(Scope.extend(scope))
    )
    servers.push({ url: bound.url, port: bound.port, stop: () => Effect.runPromise(Scope.close(scope, Exit.void)) })
    const { page } = await open(bound.url)
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
        refreshMs: 250,
        view: Effect.flatMap(Ref.get(hang), (h) => h ? Effect.never : Effect.succeed(viewFor("ACTIVE", Date.now())))
      }).pipe(Scope.extend(scope))
    )
    servers.push({ url: bound.url, port: bound.port, stop: () => Effect.runPromise(Scope.close(scope, Exit.void)) })
    const { page } = await open(bound.url)
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
      adviceParts: null,
      lastKnown: null,
      agent: {
        lastSend: null,
        lastHeartbeat: null,
        lastRules: null,
        counters: { read: 0, selected: 0, sent: 0, rejected: 0, expired: 0, skippedBadLine: 0 },
        last24h: { sent: 0, rejected: 0, expired: 0 },
        hourly: [],
        daily: [],
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
    expect(await textOf(page, "#chart-hourly-total")).toBe("no figures yet")
    expect(await textOf(page, "#chart-daily-total")).toBe("no figures yet")
    expect(await page.locator("svg").count()).toBe(0)
    expect(family(await page.locator("#badge").evaluate((e) => getComputedStyle(e).backgroundColor))).toBe("grey")
    await page.screenshot({ path: `${SHOTS}empty-dark.png`, fullPage: true })
    expect(errors).toEqual([])
  })

  it("the server's refresh option sets the interval; ?refresh= takes 5 s or more, and a lower one is refused", async () => {
    const ref = refOf(viewFor("ACTIVE", Date.now()))
    const server = await serve(ref, 0, 300)
    const { page } = await open(server.url)
    expect(await textOf(page, "#conn")).toContain("refreshes every 300 ms")
    Effect.runSync(Ref.set(ref, viewFor("DORMANT", Date.now())))
    await page.waitForFunction(() => document.querySelector("#badge")?.textContent === "DORMANT", null, { timeout: 10_000 })

    await page.goto(`${server.url}?refresh=6000`)
    expect(await textOf(page, "#conn")).toContain("refreshes every 6 s")
    for (const bad of ["250", "4999", "abc", ""]) {
      const res = await fetch(`${server.url}?refresh=${bad}`)
      expect(res.status, bad).toBe(400)
      expect(await res.text()).toBe("refresh must be a number of milliseconds, at least 5000\n")
    }
  })

  it("the first view comes with the page: shown even when the script cannot fetch anything", async () => {
    const view = viewFor("unreachable", Date.now())
    const server = await serve(refOf(view))
    const context = await browser.newContext({ viewport: { width: 1000, height: 900 } })
    const page = await context.newPage()
    const errors: Array<string> = []
    page.on("pageerror", (e) => errors.push(e.message))
    let fetched = 0
    await page.route("**/api/status", (route) => (fetched++, route.abort()))
    // Seen before any script ran: the data block is in the HTML as served.
    const res = await page.goto(server.url)
    const html = (await res!.text())
    expect(html).toContain(`<script type="application/json" id="initial-view">`)
    expect(html).not.toContain("<\/script><script>alert") // nothing in the data closes the element
    expect(await page.getAttribute("body", "data-state")).toBe("fresh")
    expect(await textOf(page, "#badge")).toBe("UNREACHABLE")
    expect(await textOf(page, "#last-known")).toBe("last known ACTIVE (ET Pro), 12 min ago")
    expect(await textOf(page, "#advice")).toBe(ADVICE.unreachable)
    expect(await page.locator("#chart-hourly svg g.slot").count()).toBe(24)
    expect(await textOf(page, "#conn")).toMatch(/^Updated \d\d:\d\d:\d\d UTC; refreshes every minute\.$/)
    expect(fetched).toBe(0) // the first refresh waits its minute
    await page.screenshot({ path: `${SHOTS}embedded-first-view.png`, fullPage: true })
    expect(errors).toEqual([])
    await context.close()
  })

  it("the data block cannot be closed from inside: a view holding </script> stays data", async () => {
    const evil = "</script><script>window.__pwned=4</script><!--"
    const server = await serve(refOf({ ...viewFor("failed", Date.now()), reason: evil }))
    const html = await (await fetch(server.url)).text()
    expect(html.match(/<script/g)).toHaveLength(2)
    expect(html).not.toContain(evil)
    const { errors, page } = await open(server.url)
    expect(await textOf(page, "#reason")).toBe(evil)
    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined()
    expect(errors).toEqual([])
  })

  it("a partial view (an older or newer agent) shows what is there without script errors", async () => {
    const partial = { status: "DISABLED", advice: "partial", agent: { hourly: "not a list", last24h: null } }
    const server = await serve(refOf(partial as unknown as WidgetView))
    const { errors, page } = await open(server.url)
    expect(await textOf(page, "#badge")).toBe("DISABLED")
    expect(await textOf(page, "#advice")).toBe("partial")
    expect(await textOf(page, "[data-key=sent] b")).toBe("0")
    expect(await textOf(page, "#chart-hourly-total")).toBe("no figures yet")
    expect(await textOf(page, "#ruleset")).toBe("Ruleset not known")
    expect(errors).toEqual([])
  })

  it("a response that is not a status view is reported, not rendered", async () => {
    const server = await serve(refOf(viewFor("ACTIVE", Date.now())), 0, 250)
    const { page } = await open(server.url)
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
