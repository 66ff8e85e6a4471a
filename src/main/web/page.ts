/**
 * The status page (SPEC section 7): one self-contained HTML document, no CDN, no framework, no build step.
 * The script fetches `api/status` (a WidgetView), builds the DOM with createElement/textContent only — nothing
 * from the service or from event data ever becomes markup — and refreshes itself every minute (or every
 * `?refresh=MS` / `data-refresh-ms`, for tests). The server pins both inline blocks by hash in its
 * Content-Security-Policy, so the texts here are exactly what the browser runs.
 */
import { LICENSE_TONE } from "../../domain/StatusNames.js"

export const PAGE_STYLE = String.raw`
:root{--bg:#f4f5f7;--card:#fff;--fg:#1f2328;--muted:#656d76;--line:#d8dee4;--ok:#1a7f37;--warn:#f2b61d;--warn-fg:#3b2a00;
--bad:#c62828;--grey:#6e7781;--bar:#2f6fdd;--err-bg:#fff1f0;--err:#a4161a}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--card:#161b22;--fg:#e6edf3;--muted:#8d96a0;--line:#30363d;
--err-bg:#3b1214;--err:#ff9492;--bar:#58a6ff}}
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
.ruleset{font-weight:600}
.reason,.advice,.error,dd,.chart-note{overflow-wrap:anywhere}
.reason{color:var(--muted)}
.service-stale{color:var(--err);font-size:.9rem;overflow-wrap:anywhere}
.advice{border-left:4px solid var(--warn);padding:4px 10px;margin:10px 0}
.advice.bad{border-color:var(--bad)}
.advice.muted{border-color:var(--grey)}
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
figure{margin:12px 0 0}
figcaption{font-size:.85rem;color:var(--muted);margin-bottom:4px}
svg.chart{display:block;width:100%;height:80px;background:var(--bg);border-radius:6px}
svg.chart rect{fill:var(--bar)}
svg.chart rect.zero{fill:var(--line)}
.axis{display:flex;justify-content:space-between;font-size:.75rem;color:var(--muted)}
footer{font-size:.8rem;color:var(--muted);padding:4px 2px 16px;overflow-wrap:anywhere}
@media (max-width:420px){dl{grid-template-columns:minmax(0,1fr)}dd{margin-bottom:6px}.tile b{font-size:1.1rem}}
`

// Plain ES2017 for any browser; no template literals, so this String.raw holds it verbatim.
export const PAGE_SCRIPT = String.raw`
"use strict";
(function () {
  var root = document.documentElement;
  var fromQuery = Number(new URLSearchParams(location.search).get("refresh"));
  var fromAttr = Number(root.getAttribute("data-refresh-ms"));
  var refreshMs = fromQuery >= 100 ? fromQuery : fromAttr >= 100 ? fromAttr : 60000;
  var last = null, lastOkAt = null, problem = null, timer = null;

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function obj(v) { return v !== null && typeof v === "object" ? v : null; }
  function num(v) { return typeof v === "number" && isFinite(v) ? v : 0; }
  function text(v) { return v === undefined || v === null ? null : String(v); }
  function show(node, value) {
    node.textContent = value === null ? "" : value;
    node.hidden = value === null || value === "";
  }

  function every(ms) {
    if (ms === 60000) return "every minute";
    if (ms % 60000 === 0) return "every " + ms / 60000 + " minutes";
    if (ms < 1000) return "every " + Math.round(ms) + " ms";
    return "every " + (ms >= 10000 ? Math.round(ms / 1000) : (ms / 1000).toFixed(1).replace(/\.0$/, "")) + " s";
  }
  function span(ms) {
    var s = Math.round(Math.abs(ms) / 1000);
    if (s < 60) return s + " s";
    var m = Math.round(s / 60);
    if (m < 60) return m + " min";
    if (m < 600) return Math.floor(m / 60) + " h" + (m % 60 ? " " + (m % 60) + " min" : "");
    var h = Math.round(m / 60);
    if (h < 48) return h + " h";
    return Math.round(h / 24) + " days";
  }
  function relative(t, now) {
    var d = now - t;
    if (Math.abs(d) < 10000) return "just now";
    return d > 0 ? span(d) + " ago" : "in " + span(d);
  }
  function localTime(t) {
    return new Date(t).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  }
  function clock(t) { return new Date(t).toLocaleTimeString(); }
  function parseTime(v) {
    // ISO 8601 only: Chromium's Date.parse reads almost anything (even an HTML tag) as some date.
    if (typeof v !== "string" || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(v)) return null;
    var t = Date.parse(v);
    return isNaN(t) ? null : t;
  }
  /** A time as "<local time> (3 min ago)"; the ISO string stays in the datetime attribute. */
  function timeNode(v, now, none) {
    var t = parseTime(v);
    if (t === null) return el("span", "rel", v === null || v === undefined ? none || "never" : String(v));
    var wrap = el("span");
    var tm = el("time", null, localTime(t));
    tm.setAttribute("datetime", String(v));
    wrap.appendChild(tm);
    wrap.appendChild(el("span", "rel", " (" + relative(t, now) + ")"));
    return wrap;
  }
  function row(dl, key, label, value) {
    var dt = el("dt", null, label), dd = el("dd");
    dd.setAttribute("data-key", key);
    if (typeof value === "string") dd.textContent = value; else dd.appendChild(value);
    dl.appendChild(dt);
    dl.appendChild(dd);
  }

  var TONE = ${JSON.stringify(LICENSE_TONE)};

  function renderLicense(v, now) {
    var status = text(v.status) || "unknown";
    var tone = TONE.hasOwnProperty(status) ? TONE[status] : "muted";
    var badge = $("badge");
    badge.className = "badge " + tone;
    badge.textContent = status.toUpperCase();
    badge.setAttribute("data-status", status);
    var rs = text(v.ruleset);
    show($("ruleset"), rs === null ? "Ruleset not known" : "Serving " + rs + " rules");
    show($("reason"), text(v.reason));
    // The agent could not ask the service just now and shows its earlier answer.
    var stale = obj(v.stale), checked = parseTime(v.checkedAt);
    show($("service-stale"), stale === null ? null :
      "The telemetry service could not be asked just now (" + (text(stale.reason) || "no reason given") +
      "); this is its answer from " + (checked === null ? "earlier" : localTime(checked) + " (" + relative(checked, now) + ")") + ".");
    var advice = $("advice");
    show(advice, text(v.advice));
    advice.className = "advice" + (tone === "warn" ? "" : " " + tone);

    var dl = $("facts");
    clear(dl);
    // Without a license answer the service's facts are not known, which is not the same as "never".
    var none = TONE.hasOwnProperty(status) ? "never" : "not known";
    row(dl, "lastEvent", "Last event", timeNode(v.lastEvent, now, none));
    row(dl, "lastRuleDownload", "Last rule download", timeNode(v.lastRuleDownload, now));
    row(dl, "lastHeartbeat", "Last heartbeat", timeNode(v.lastHeartbeat, now, none));
    row(dl, "disableDate", "Disable date", timeNode(v.disableDate, now, "not known"));
    var next = obj(v.next);
    if (next) {
      var n = el("span");
      n.appendChild(el("b", null, text(next.to) || "?"));
      n.appendChild(document.createTextNode(" on "));
      n.appendChild(timeNode(next.at, now, "an unknown date"));
      var unless = text(next.unless);
      if (unless) n.appendChild(document.createTextNode(" unless " + unless.replace(/^unless\s+/i, "")));
      row(dl, "next", "Next change", n);
    } else {
      row(dl, "next", "Next change", el("span", "rel", "none expected"));
    }
    row(dl, "checkedAt", "License checked", timeNode(v.checkedAt, now, "not yet"));
  }

  function result(r, now) {
    r = obj(r);
    if (!r) return el("span", "rel", "not yet");
    var wrap = el("span");
    wrap.appendChild(el("span", r.ok === true ? "good" : "fail", r.ok === true ? "ok" : "failed"));
    wrap.appendChild(document.createTextNode(" "));
    wrap.appendChild(timeNode(r.at, now));
    var m = text(r.message);
    if (m) wrap.appendChild(document.createTextNode(" — " + m));
    return wrap;
  }

  function renderChart(hourly, now) {
    var box = $("chart");
    clear(box);
    var list = Array.isArray(hourly) ? hourly.slice(-24) : [];
    var total = 0, max = 0, i;
    for (i = 0; i < list.length; i++) {
      var s = num(obj(list[i]) && list[i].sent);
      total += s;
      if (s > max) max = s;
    }
    $("chart-total").textContent = list.length ? total + " sent, peak " + max + " per hour" : "no hourly figures yet";
    $("axis").hidden = !list.length;
    if (!list.length) return;
    var NS = "http://www.w3.org/2000/svg", W = 240, H = 60, slot = W / list.length;
    var svg = document.createElementNS(NS, "svg");
    svg.setAttribute("class", "chart");
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "Events sent per hour over the last 24 hours: " + total + " in all, at most " + max + " in one hour");
    for (i = 0; i < list.length; i++) {
      var b = obj(list[i]) || {}, sent = num(b.sent);
      var h = max > 0 ? Math.max(sent > 0 ? 2 : 1, (sent / max) * (H - 4)) : 1;
      var rect = document.createElementNS(NS, "rect");
      rect.setAttribute("x", (i * slot + slot * 0.1).toFixed(2));
      rect.setAttribute("width", (slot * 0.8).toFixed(2));
      rect.setAttribute("y", (H - h).toFixed(2));
      rect.setAttribute("height", h.toFixed(2));
      rect.setAttribute("data-sent", String(sent));
      if (sent === 0) rect.setAttribute("class", "zero");
      var title = document.createElementNS(NS, "title");
      var t = parseTime(b.hour);
      title.textContent = (t === null ? text(b.hour) || "?" : localTime(t)) + ": " + sent + " sent";
      rect.appendChild(title);
      svg.appendChild(rect);
    }
    box.appendChild(svg);
    var first = parseTime(obj(list[0]) && list[0].hour);
    $("axis-start").textContent = first === null ? "" : relative(first, now);
  }

  function renderAgent(v, now) {
    var a = obj(v.agent) || {};
    var d = obj(a.last24h) || {};
    var tiles = $("counters");
    clear(tiles);
    [["sent", "sent"], ["rejected", "rejected"], ["expired", "expired"]].forEach(function (p) {
      var tile = el("div", "tile");
      tile.setAttribute("data-key", p[0]);
      tile.appendChild(el("b", null, num(d[p[0]])));
      tile.appendChild(el("span", null, p[1] + " (24\u00a0h)"));
      tiles.appendChild(tile);
    });
    var err = text(a.lastDeliveryError);
    show($("delivery-error"), err === null ? null : "Last delivery failed: " + err);
    var dl = $("results");
    clear(dl);
    row(dl, "lastSend", "Last send", result(a.lastSend, now));
    row(dl, "agentHeartbeat", "Last heartbeat sent", result(a.lastHeartbeat, now));
    row(dl, "lastRules", "Last rules update", result(a.lastRules, now));
    renderChart(a.hourly, now);
  }

  function render() {
    var now = Date.now();
    var conn = $("conn");
    if (problem === null) {
      conn.className = "conn";
      conn.textContent = "Updated " + clock(lastOkAt) + "; refreshes " + every(refreshMs) + ".";
    } else {
      conn.className = "conn down";
      conn.textContent = "Cannot reach the status API (" + problem + "). " +
        (last ? "Showing stale data from " + clock(lastOkAt) + " (" + relative(lastOkAt, now) + "). " : "No data yet. ") +
        "Retrying " + every(refreshMs) + ".";
    }
    document.body.classList.toggle("stale", problem !== null && last !== null);
    document.body.setAttribute("data-state", problem === null ? "fresh" : last ? "stale" : "down");
    if (!last) return;
    document.title = (problem === null ? "" : "(stale) ") + (text(last.status) || "unknown").toUpperCase() + " · ET Pro Telemetry status";
    renderLicense(last, now);
    renderAgent(last, now);
    show($("generated"), "View generated " + (parseTime(last.generatedAt) === null ? "at an unknown time" : localTime(parseTime(last.generatedAt))) + " by the agent.");
  }

  function refresh() {
    clearTimeout(timer);
    var ctrl = typeof AbortController === "function" ? new AbortController() : null;
    var guard = setTimeout(function () { if (ctrl) ctrl.abort(); }, Math.min(15000, Math.max(refreshMs, 2000)));
    fetch("api/status", { cache: "no-store", headers: { accept: "application/json" }, signal: ctrl ? ctrl.signal : undefined })
      .then(function (res) {
        if (!res.ok) throw new Error("HTTP " + res.status);
        return res.json();
      })
      .then(function (v) {
        if (!obj(v) || Array.isArray(v) || typeof v.status !== "string") throw new Error("unexpected response");
        last = v; lastOkAt = Date.now(); problem = null;
      })
      .catch(function (e) {
        // fetch() rejects with a TypeError when nothing answers, res.json() with a SyntaxError on a bad body;
        // HTTP errors carry their status. Whatever it was, the loop below goes on.
        var name = e && e.name;
        problem = name === "AbortError" ? "timed out" : name === "TypeError" ? "no connection" :
          name === "SyntaxError" ? "unreadable response" : e && e.message ? String(e.message) : "network error";
      })
      .then(function () {
        clearTimeout(guard);
        try { render(); } catch (e) { problem = "could not show the data: " + (e && e.message); }
        timer = setTimeout(refresh, refreshMs);
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && (problem !== null || (lastOkAt !== null && Date.now() - lastOkAt > refreshMs))) refresh();
  });
  refresh();
})();
`

const BODY = `<main>
<header>
<h1>ET Pro Telemetry — sensor status</h1>
<p id="conn" class="conn" role="status" aria-live="polite">Loading the status…</p>
</header>
<section class="card" aria-labelledby="badge">
<div class="head"><span id="badge" class="badge muted" data-status="">…</span><span id="ruleset" class="ruleset" hidden></span></div>
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
<figure>
<figcaption>Events sent per hour, last 24 h: <span id="chart-total"></span></figcaption>
<div id="chart"></div>
<div id="axis" class="axis" hidden><span id="axis-start"></span><span>now</span></div>
</figure>
</section>
<footer><span id="generated" hidden></span></footer>
</main>
<noscript><p>This page needs JavaScript to load the status from <code>/api/status</code>.</p></noscript>`

/** The page; `refreshMs` goes into a data attribute (a number, so nothing to escape). */
export const pageHtml = (refreshMs = 60_000): string =>
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
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`
