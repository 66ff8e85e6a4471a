/**
 * The status page script's helpers (inlined into ./pageScript.ts, so pinned by the same CSP hash): DOM
 * building with createElement/textContent only, numbers, spans and UTC times, definition rows, the advice.
 * Plain ES2017, no template literals (this String.raw holds it verbatim).
 */
export const HELPERS_SCRIPT = String.raw`
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
  function two(n) { return (n < 10 ? "0" : "") + n; }
  var DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  /** "2026-11-27 10:05 UTC": one zone everywhere, as in the terminal and the advice. */
  function utc(t) {
    var d = new Date(t);
    return d.getUTCFullYear() + "-" + two(d.getUTCMonth() + 1) + "-" + two(d.getUTCDate()) + " " + hhmm(t) + " UTC";
  }
  function hhmm(t) { var d = new Date(t); return two(d.getUTCHours()) + ":" + two(d.getUTCMinutes()); }
  function clock(t) { return hhmm(t) + ":" + two(new Date(t).getUTCSeconds()) + " UTC"; }
  function parseTime(v) {
    // ISO 8601 only: Chromium's Date.parse reads almost anything (even an HTML tag) as some date.
    if (typeof v !== "string" || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(v)) return null;
    var t = Date.parse(v);
    return isNaN(t) ? null : t;
  }
  /** A time as "2026-11-27 10:05 UTC (3 min ago)"; the ISO string stays in the datetime attribute. */
  function timeNode(v, now, none) {
    var t = parseTime(v);
    if (t === null) return el("span", "rel", v === null || v === undefined ? none || "never" : String(v));
    var wrap = el("span");
    var tm = el("time", null, utc(t));
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
  /**
   * Commands as <code>, each word its own inline block: a phone wraps between words, never inside a command
   * name (only a word wider than the whole line breaks, rather than overflow).
   */
  function codeNode(s) {
    var c = el("code");
    String(s).split(" ").forEach(function (w, i) {
      if (i > 0) c.appendChild(document.createTextNode(" "));
      c.appendChild(el("span", "w", w));
    });
    return c;
  }
  function renderAdvice(node, v) {
    clear(node);
    var parts = Array.isArray(v.adviceParts) ? v.adviceParts : null;
    if (parts === null) { show(node, text(v.advice)); return; }
    parts.forEach(function (p) {
      p = obj(p) || {};
      node.appendChild(p.kind === "code" ? codeNode(text(p.text) || "") : document.createTextNode(text(p.text) || ""));
    });
    node.hidden = parts.length === 0;
  }

`
