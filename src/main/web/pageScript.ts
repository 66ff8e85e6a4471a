/**
 * The status page's script. It renders the view embedded in the page at once (no blank state), then fetches
 * `api/status` every minute (or `data-refresh-ms`, or `?refresh=MS` of at least 5 s). It builds the DOM with
 * createElement/textContent only: nothing from the service or from event data ever becomes markup. Every time
 * is shown in UTC, saying so, like the terminal and the advice. Plain ES2017 for any browser; no template
 * literals, so these String.raw texts hold it verbatim (the server pins the result by hash).
 */
import { STATUS_TONE } from "../../domain/StatusNames.js"
import { CHART_SCRIPT } from "./chartScript.js"
import { HELPERS_SCRIPT } from "./pageHelpers.js"

/** The fastest refresh a visitor may ask for with `?refresh=MS`: each refresh may ask the service. */
export const MIN_QUERY_REFRESH_MS = 5_000

const MAIN = String.raw`
  var root = document.documentElement;
  var fromQuery = Number(new URLSearchParams(location.search).get("refresh"));
  var fromAttr = Number(root.getAttribute("data-refresh-ms"));
  var refreshMs = fromQuery >= ${MIN_QUERY_REFRESH_MS} ? fromQuery : fromAttr >= 100 ? fromAttr : 60000;
  var last = null, lastOkAt = null, problem = null, timer = null;

  var TONE = ${JSON.stringify(STATUS_TONE)};

  function renderLicense(v, now) {
    var status = text(v.status) || "unknown";
    var tone = TONE.hasOwnProperty(status) ? TONE[status] : "muted";
    var badge = $("badge");
    badge.className = "badge " + tone;
    badge.textContent = status.toUpperCase();
    badge.setAttribute("data-status", status);
    var known = obj(v.lastKnown), knownAt = known && parseTime(known.at);
    var lk = $("last-known");
    clear(lk);
    lk.hidden = known === null;
    if (known !== null) {
      lk.appendChild(document.createTextNode("last known "));
      lk.appendChild(el("b", null, (text(known.status) || "unknown").toUpperCase()));
      lk.appendChild(document.createTextNode((text(known.ruleset) ? " (" + text(known.ruleset) + ")" : "") +
        (knownAt === null ? "" : ", " + relative(knownAt, now))));
    }
    var rs = text(v.ruleset);
    show($("ruleset"), known !== null ? null : rs === null ? "Ruleset not known" : "Serving " + rs + " rules");
    show($("reason"), text(v.reason));
    // The service could not be asked just now: the facts below are from its earlier answer.
    var stale = obj(v.stale), checked = parseTime(v.checkedAt);
    var from = checked === null ? "earlier" : utc(checked) + " (" + relative(checked, now) + ")";
    // UNREACHABLE says why beside the badge already; an older agent's view only says it here.
    show($("service-stale"), stale === null ? null : status === "unreachable" ? "The details below are from its last answer, " + from + "." :
      "The telemetry service could not be asked just now (" + (text(stale.reason) || "no reason given") +
      "); the details below are from its answer of " + from + ".");
    var advice = $("advice");
    renderAdvice(advice, v);
    advice.className = "advice" + (tone === "warn" ? "" : " " + tone);

    var dl = $("facts");
    clear(dl);
    dl.className = stale === null ? "" : "dim";
    // Without a license answer the service's facts are not known, which is not the same as "never".
    var none = TONE.hasOwnProperty(status) && status !== "failed" && (status !== "unreachable" || known !== null) ? "never" : "not known";
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
      row(dl, "next", "Next change", el("span", "rel", stale === null ? "none expected" : "not known"));
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

  /** Points for drawChart from the view's series, with a label every 3 (phone: 6) hours or every day. */
  function points(list, key, kind, narrow) {
    var out = [];
    for (var i = 0; i < list.length; i++) {
      var b = obj(list[i]) || {}, t = parseTime(b[key]), sent = num(b.sent);
      var seen = b.seen === null || b.seen === undefined ? null : num(b.seen);
      var label = "", tip;
      if (kind === "hourly") {
        var h = t === null ? -1 : new Date(t).getUTCHours();
        if (h >= 0 && h % (narrow ? 6 : 3) === 0) label = two(h) + ":00";
        tip = t === null ? text(b[key]) || "?" : utc(t).slice(0, 16) + "–" + hhmm(t + 3600000) + " UTC";
      } else {
        var d = t === null ? null : new Date(t);
        if (d !== null) label = narrow ? DAYS[d.getUTCDay()] : DAYS[d.getUTCDay()] + " " + d.getUTCDate();
        tip = t === null ? text(b[key]) || "?" : utc(t).slice(0, 10) + " (UTC day)";
      }
      out.push({ label: label, seen: seen, sent: sent, tip: tip + ": " + (seen === null ? "seen not counted" : seen + " seen") + ", " + sent + " sent" });
    }
    return out;
  }

  function renderChart(id, list, kind, count, caption) {
    var box = $(id);
    clear(box);
    list = Array.isArray(list) ? list.slice(-count) : [];
    var seen = 0, sent = 0, unknown = false, i;
    for (i = 0; i < list.length; i++) {
      var b = obj(list[i]) || {};
      sent += num(b.sent);
      if (b.seen === null || b.seen === undefined) unknown = true; else seen += num(b.seen);
    }
    var summary = $(id + "-total");
    summary.textContent = list.length ? (unknown ? "" : seen + " seen, ") + sent + " sent" : "no figures yet";
    $(id + "-unknown").hidden = !(list.length && unknown);
    if (!list.length) return;
    var width = box.clientWidth || 600, narrow = width < 480;
    drawChart(box, points(list, kind === "hourly" ? "hour" : "day", kind, narrow), {
      kind: kind, width: width, height: narrow ? 170 : 200,
      xTitle: kind === "hourly" ? "hour (UTC)" : "day (UTC)",
      aria: caption + ": " + (unknown ? "" : seen + " alerts seen, ") + sent + " sent"
    });
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
    renderChart("chart-hourly", a.hourly, "hourly", 24, "Alerts per hour, last 24 hours");
    renderChart("chart-daily", a.daily, "daily", 7, "Alerts per day, last 7 days");
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
    var gen = parseTime(last.generatedAt);
    show($("generated"), "View generated " + (gen === null ? "at an unknown time" : utc(gen)) + " by the agent. All times in UTC.");
  }
  function safeRender() {
    try { render(); } catch (e) { problem = "could not show the data: " + (e && e.message); }
  }

  function accept(v) {
    if (!obj(v) || Array.isArray(v) || typeof v.status !== "string") return false;
    last = v; problem = null;
    var gen = parseTime(v.generatedAt);
    lastOkAt = gen !== null && Math.abs(gen - Date.now()) < 300000 ? gen : Date.now();
    return true;
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
        if (!accept(v)) throw new Error("unexpected response");
        lastOkAt = Date.now();
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
        safeRender();
        timer = setTimeout(refresh, refreshMs);
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && (problem !== null || (lastOkAt !== null && Date.now() - lastOkAt > refreshMs))) refresh();
  });
  var resizing = null, lastWidth = window.innerWidth;
  window.addEventListener("resize", function () {
    if (window.innerWidth === lastWidth) return;
    lastWidth = window.innerWidth;
    clearTimeout(resizing);
    resizing = setTimeout(function () { if (last) renderAgent(last, Date.now()); }, 100);
  });

  // The first view comes with the page (a JSON data block, never markup): shown at once, then kept fresh.
  var embedded = null;
  try { embedded = JSON.parse(($("initial-view") || {}).textContent || "null"); } catch (e) { embedded = null; }
  if (accept(embedded)) {
    safeRender();
    timer = setTimeout(refresh, refreshMs);
  } else {
    refresh();
  }
`

export const PAGE_SCRIPT = `\n"use strict";\n(function () {${CHART_SCRIPT}${HELPERS_SCRIPT}${MAIN}})();\n`
