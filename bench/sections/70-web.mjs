// Status page figures (issue 7): page weight, /api/status latency and throughput on loopback, and in
// headless Chromium the time to first render and the page's JS heap after many refreshes (a leak would show).
// Runs alone (`node bench/sections/70-web.mjs`) or from bench/run.mjs (`run()` returns the figures).
import { bundle } from "../lib/bundle.mjs"
import { existsSync } from "node:fs"
import http from "node:http"
import { cpus, loadavg } from "node:os"
import { fileURLToPath, pathToFileURL } from "node:url"
import { gzipSync } from "node:zlib"

const REPO = fileURLToPath(new URL("../../", import.meta.url))
const OUT = `${REPO}bench/data/web/`
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"

const view = (now) => ({
  status: "ACTIVE",
  reason: null,
  ruleset: "ET Pro",
  lastEvent: new Date(now - 180_000).toISOString(),
  lastRuleDownload: new Date(now - 5 * 3_600_000).toISOString(),
  lastHeartbeat: new Date(now - 1_200_000).toISOString(),
  disableDate: new Date(now + 5 * 86_400_000).toISOString(),
  next: { to: "DORMANT", at: new Date(now + 6_000_000).toISOString(), unless: "a heartbeat is received" },
  advice: null,
  agent: {
    lastSend: { at: new Date(now - 60_000).toISOString(), ok: true, message: "sent 12 events" },
    lastHeartbeat: { at: new Date(now - 1_200_000).toISOString(), ok: true, message: "accepted" },
    lastRules: { at: new Date(now - 5 * 3_600_000).toISOString(), ok: true, message: "ET Pro installed" },
    counters: { read: 1_000_000, selected: 250_000, sent: 249_000, rejected: 10, expired: 990, skippedBadLine: 0 },
    last24h: { sent: 24_000, rejected: 1, expired: 3 },
    hourly: Array.from({ length: 24 }, (_, i) => ({
      hour: new Date(Math.floor(now / 3_600_000) * 3_600_000 - (23 - i) * 3_600_000).toISOString(),
      sent: 1000 + ((i * 37) % 200)
    })),
    lastDeliveryError: null
  },
  checkedAt: new Date(now - 600_000).toISOString(),
  generatedAt: new Date(now).toISOString()
})

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]

export async function run(log = console.log) {
  await bundle(OUT, { web: `${REPO}src/main/web/StatusServer.ts`, effect: `${REPO}node_modules/effect/dist/esm/index.js` })
  const { Effect, Exit, Scope } = await import(pathToFileURL(`${OUT}effect.js`).href)
  const { startStatusServer } = await import(pathToFileURL(`${OUT}web.js`).href)
  const figures = {}

  const scope = Effect.runSync(Scope.make())
  const bound = await Effect.runPromise(
    Scope.extend(startStatusServer({ port: 0, view: Effect.sync(() => view(Date.now())) }), scope)
  )
  try {
    const html = await (await fetch(bound.url)).text()
    const json = await (await fetch(`${bound.url}api/status`)).text()
    figures.pageBytes = Buffer.byteLength(html)
    figures.pageGzipBytes = gzipSync(html).length
    figures.apiBytes = Buffer.byteLength(json)
    log(`web: page ${figures.pageBytes} B (${figures.pageGzipBytes} B gzipped), /api/status ${figures.apiBytes} B`)

    // node:http with keep-alive (fetch() itself costs more than the server here).
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
    const api = () =>
      new Promise((resolve, reject) =>
        http.get(`${bound.url}api/status`, { agent }, (r) => {
          r.resume()
          r.on("end", resolve)
        }).on("error", reject)
      )
    log(`web: machine ${cpus().length} cores, load average ${loadavg()[0].toFixed(1)} (tail latencies suffer when it is high)`)

    // Sequential requests: latency.
    const N = 4000
    const times = []
    for (let i = 0; i < 500; i++) await api() // warm-up
    const t0 = performance.now()
    for (let i = 0; i < N; i++) {
      const s = performance.now()
      await api()
      times.push(performance.now() - s)
    }
    const seqMs = performance.now() - t0
    times.sort((a, b) => a - b)
    figures.apiSeqPerSec = Math.round((N / seqMs) * 1000)
    figures.apiP50Ms = +pct(times, 50).toFixed(3)
    figures.apiP99Ms = +pct(times, 99).toFixed(3)
    log(`web: /api/status sequential ${figures.apiSeqPerSec} req/s, p50 ${figures.apiP50Ms} ms, p99 ${figures.apiP99Ms} ms`)

    // 16 clients at once: throughput.
    const C = 16
    const t1 = performance.now()
    await Promise.all(Array.from({ length: C }, async () => {
      for (let i = 0; i < N / C; i++) await api()
    }))
    figures.apiConcurrentPerSec = Math.round((N / (performance.now() - t1)) * 1000)
    agent.destroy()
    log(`web: /api/status with ${C} concurrent clients ${figures.apiConcurrentPerSec} req/s`)

    if (!existsSync(CHROMIUM)) {
      log(`web: browser figures skipped: ${CHROMIUM} not found`)
      return figures
    }
    const { chromium } = await import("playwright-core")
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
        "--no-first-run", "--disable-component-update", "--disable-sync"]
    })
    try {
      const page = await browser.newPage({ viewport: { width: 375, height: 800 } })
      const loads = []
      for (let i = 0; i < 7; i++) {
        const s = performance.now()
        await page.goto(bound.url)
        await page.waitForSelector("body[data-state=fresh]")
        loads.push(performance.now() - s)
      }
      loads.sort((a, b) => a - b)
      figures.firstRenderMedianMs = Math.round(pct(loads, 50))
      log(`web: Chromium load to first rendered status, median of 7: ${figures.firstRenderMedianMs} ms`)

      // Many refreshes: the JS heap should not grow with them.
      await page.goto(`${bound.url}?refresh=100`)
      await page.waitForSelector("body[data-state=fresh]")
      const cdp = await page.context().newCDPSession(page)
      const heap = async () => {
        await cdp.send("HeapProfiler.collectGarbage")
        const { metrics } = await cdp.send("Performance.getMetrics")
        return metrics.find((m) => m.name === "JSHeapUsedSize").value
      }
      await cdp.send("Performance.enable")
      // Count refreshes through the DOM: the conn line is rewritten on each.
      const refreshes = (n) =>
        page.evaluate((n) => new Promise((resolve) => {
          const conn = document.getElementById("conn")
          let k = 0
          const mo = new MutationObserver(() => {
            if (++k >= n) {
              mo.disconnect()
              resolve(k)
            }
          })
          mo.observe(conn, { childList: true, characterData: true, subtree: true })
        }), n)
      await refreshes(30) // warm-up: let the JIT settle
      const start = await heap()
      const R = 100
      const s = performance.now()
      await refreshes(R)
      const refreshMs = (performance.now() - s) / R
      const mid = await heap()
      await refreshes(R)
      const end = await heap()
      figures.refreshCycleMs = +refreshMs.toFixed(1)
      figures.heapKiB = [start, mid, end].map((b) => Math.round(b / 1024))
      log(`web: refreshes at ?refresh=100: ${figures.refreshCycleMs} ms per cycle; JS heap after GC at 30 / ${30 + R} / ${30 + 2 * R} refreshes: ${figures.heapKiB.join(" / ")} KiB`)
    } finally {
      await browser.close()
    }
    return figures
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run()
}
