/**
 * The status page (SPEC section 7): one self-contained HTML document, no CDN, no framework, no build step.
 * It carries its first view as a JSON data block (escaped, never markup), which its script (./pageScript.ts)
 * renders at once and then keeps fresh from `api/status`. The server pins the inline script and style by hash
 * in its Content-Security-Policy, so the texts here are exactly what the browser runs.
 */
import { PAGE_SCRIPT } from "./pageScript.js"

export { PAGE_SCRIPT }

export const PAGE_STYLE = String.raw`
:root{--bg:#f4f5f7;--card:#fff;--fg:#1f2328;--muted:#656d76;--line:#d8dee4;--ok:#1a7f37;--warn:#f2b61d;--warn-fg:#3b2a00;
--bad:#c62828;--grey:#6e7781;--bar:#2f6fdd;--seen:#b9cdf3;--err-bg:#fff1f0;--err:#a4161a;--code-bg:#eef1f4}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--card:#161b22;--fg:#e6edf3;--muted:#8d96a0;--line:#30363d;
--err-bg:#3b1214;--err:#ff9492;--bar:#58a6ff;--seen:#2c4a78;--code-bg:#262c36}}
*{box-sizing:border-box}
[hidden]{display:none!important}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:46rem;margin:0 auto;padding:12px}
h1{font-size:1.15rem;margin:4px 0 8px}
h2{font-size:1rem;margin:0 0 8px}
p{margin:6px 0}
.conn{font-size:.85rem;color:var(--muted);overflow-wrap:anywhere}
.conn.down{color:var(--err);background:var(--err-bg);border:1px solid var(--err);border-radius:6px;padding:6px 10px;font-weight:600}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px;margin:10px 0;min-width:0}
.stale .card{opacity:.6}
.head{display:flex;flex-wrap:wrap;align-items:center;gap:8px 12px}
.badge{display:inline-block;padding:4px 12px;border-radius:999px;font-weight:700;letter-spacing:.04em;color:#fff;background:var(--grey)}
.badge.ok{background:var(--ok)}
.badge.warn{background:var(--warn);color:var(--warn-fg)}
.badge.bad{background:var(--bad)}
.badge.muted{background:var(--grey)}
.badge.down{background:var(--err-bg);color:var(--err);border:2px solid var(--err);padding:2px 10px}
.last-known{color:var(--muted)}
.last-known b{color:var(--fg)}
.ruleset{font-weight:600}
.reason,.advice,.error,dd,.chart-note{overflow-wrap:anywhere}
.reason{color:var(--muted)}
.service-stale{color:var(--err);font-size:.9rem;overflow-wrap:anywhere}
.advice{border-left:4px solid var(--warn);padding:4px 10px;margin:10px 0}
.advice.bad{border-color:var(--bad)}
.advice.muted{border-color:var(--grey)}
.advice.down{border-color:var(--err)}
code{font:.88em/1.3 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--code-bg);border-radius:4px;padding:1px 3px;
overflow-wrap:normal;word-break:normal}
code .w{display:inline-block;max-width:100%;overflow-wrap:anywhere}
dl.dim dd{opacity:.7}
.error{color:var(--err);background:var(--err-bg);border-radius:6px;padding:6px 10px}
dl{display:grid;grid-template-columns:minmax(7rem,max-content) minmax(0,1fr);gap:4px 12px;margin:10px 0 0}
dt{color:var(--muted)}
dd{margin:0;min-width:0}
.rel{color:var(--muted)}
.fail{color:var(--err);font-weight:600}
.good{color:var(--ok);font-weight:600}
.tiles{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:8px}
.tile{border:1px solid var(--line);border-radius:8px;padding:8px;text-align:center;min-width:0}
.tile b{display:block;font-size:1.3rem}
.tile span{font-size:.8rem;color:var(--muted)}
figure{margin:14px 0 0}
figcaption{font-size:.9rem;margin-bottom:2px}
figcaption b{font-weight:600}
.legend{display:flex;flex-wrap:wrap;gap:2px 14px;font-size:.8rem;color:var(--muted);margin:14px 0 0}
.key{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.key.seen{background:var(--seen)}
.key.sent{background:var(--bar)}
.plot{width:100%}
svg.chart{display:block;max-width:100%;height:auto;background:var(--bg);border-radius:6px;font-family:inherit}
svg.chart rect.seen{fill:var(--seen)}
svg.chart rect.sent{fill:var(--bar)}
svg.chart rect.hit{fill:transparent}
svg.chart g.slot:hover rect.hit{fill:var(--line);fill-opacity:.35}
svg.chart .grid{stroke:var(--line);stroke-dasharray:2 3}
svg.chart .axis-line{stroke:var(--muted)}
svg.chart .tick{fill:var(--muted);font-size:11px}
svg.chart .axis-title{fill:var(--muted);font-size:11px;font-weight:600}
footer{font-size:.8rem;color:var(--muted);padding:4px 2px 16px;overflow-wrap:anywhere}
@media (max-width:420px){dl{grid-template-columns:minmax(0,1fr)}dd{margin-bottom:6px}.tile b{font-size:1.1rem}}
`

const BODY = `<main>
<header>
<h1>ET Pro Telemetry — sensor status</h1>
<p id="conn" class="conn" role="status" aria-live="polite">Loading the status…</p>
</header>
<section class="card" aria-labelledby="badge">
<div class="head"><span id="badge" class="badge muted" data-status="">…</span><span id="last-known" class="last-known" hidden></span><span id="ruleset" class="ruleset" hidden></span></div>
<p id="reason" class="reason" hidden></p>
<p id="service-stale" class="service-stale" hidden></p>
<p id="advice" class="advice" hidden></p>
<dl id="facts"></dl>
</section>
<section class="card">
<h2>This agent</h2>
<div id="counters" class="tiles"></div>
<p id="delivery-error" class="error" hidden></p>
<dl id="results"></dl>
<div class="legend"><span><i class="key seen"></i>seen: alerts selected to send</span><span><i class="key sent"></i>sent: acknowledged by the service</span></div>
<figure>
<figcaption><b>Alerts per hour, last 24 hours:</b> <span id="chart-hourly-total"></span> <span id="chart-hourly-unknown" class="rel" hidden>(seen not counted by the agent version of that time)</span></figcaption>
<div id="chart-hourly" class="plot"></div>
</figure>
<figure>
<figcaption><b>Alerts per day, last 7 days:</b> <span id="chart-daily-total"></span> <span id="chart-daily-unknown" class="rel" hidden>(seen not counted by the agent version of that time)</span></figcaption>
<div id="chart-daily" class="plot"></div>
</figure>
</section>
<footer><span id="generated" hidden></span></footer>
</main>
<noscript><p>This page needs JavaScript to show the status; <code>/api/status</code> has it as JSON.</p></noscript>`

/**
 * JSON for a `<script type="application/json">` data block: `<`, `>` and `&` escaped so no text in it can
 * close the element or open a comment, and the line separators JavaScript once rejected.
 */
export const jsonDataBlock = (value: unknown): string =>
  JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

/**
 * The page; `refreshMs` goes into a data attribute (a number, so nothing to escape); `view`, the first view,
 * into a data block the browser never runs (so the CSP's script hash stays that of the one script).
 */
export const pageHtml = (refreshMs = 60_000, view?: unknown): string =>
  `<!doctype html>
<html lang="en" data-refresh-ms="${Math.max(100, Math.floor(Number.isFinite(refreshMs) ? refreshMs : 60_000))}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>ET Pro Telemetry status</title>
<style>${PAGE_STYLE}</style>
</head>
<body data-state="loading">
${BODY}
${view === undefined ? "" : `<script type="application/json" id="initial-view">${jsonDataBlock(view)}</script>\n`}<script>${PAGE_SCRIPT}</script>
</body>
</html>
`
