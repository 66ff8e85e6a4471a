/**
 * The status page's chart (inlined into its script, so pinned by the same CSP hash): alerts seen vs sent, as
 * an SVG built with createElementNS and textContent only, drawn at the box's real width so the labels stay
 * legible on a phone. Defines `drawChart(box, points, o)` inside the page script's scope.
 * Plain ES2017, no template literals (this String.raw holds it verbatim).
 */
export const CHART_SCRIPT = String.raw`
  var SVG_NS = "http://www.w3.org/2000/svg";
  function svgEl(tag, attrs, text) {
    var e = document.createElementNS(SVG_NS, tag);
    for (var k in attrs) if (attrs.hasOwnProperty(k)) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined) e.textContent = String(text);
    return e;
  }
  /** The smallest of 1, 2, 5 x 10^k that is at least x (and at least 1: alerts are whole). */
  function niceStep(x) {
    if (!(x > 1)) return 1;
    var p = Math.pow(10, Math.floor(Math.log(x) / Math.LN10));
    return x <= p ? p : x <= 2 * p ? 2 * p : x <= 5 * p ? 5 * p : 10 * p;
  }
  /**
   * points: [{ label (x-axis text or ""), tip, seen (number or null: not counted), sent }];
   * o: { kind, width, height, xTitle, aria }.
   */
  function drawChart(box, points, o) {
    var W = Math.max(240, Math.floor(o.width)), H = o.height;
    var left = 44, right = 8, top = 10, bottom = 40;
    var pw = W - left - right, ph = H - top - bottom;
    var max = 0, i;
    for (i = 0; i < points.length; i++) max = Math.max(max, points[i].sent, points[i].seen === null ? 0 : points[i].seen);
    var step = niceStep(max / 5), topValue = Math.max(step, Math.ceil(max / step) * step);
    var svg = svgEl("svg", { "class": "chart", width: W, height: H, viewBox: "0 0 " + W + " " + H, role: "img",
      "aria-label": o.aria, "data-kind": o.kind, "data-max": topValue });
    function y(v) { return top + ph - (v / topValue) * ph; }
    // Grid and y-axis ticks.
    for (var t = 0; t <= topValue; t += step) {
      svg.appendChild(svgEl("line", { "class": t === 0 ? "axis-line" : "grid", x1: left, x2: W - right, y1: y(t), y2: y(t) }));
      svg.appendChild(svgEl("text", { "class": "tick", x: left - 6, y: y(t) + 4, "text-anchor": "end" }, t));
    }
    svg.appendChild(svgEl("text", { "class": "axis-title", x: 12, y: top + ph / 2, "text-anchor": "middle",
      transform: "rotate(-90 12 " + (top + ph / 2) + ")" }, "alerts"));
    var slot = pw / Math.max(1, points.length);
    for (i = 0; i < points.length; i++) {
      var p = points[i], x = left + i * slot;
      var g = svgEl("g", { "class": "slot", "data-seen": p.seen === null ? "" : p.seen, "data-sent": p.sent });
      g.appendChild(svgEl("title", {}, p.tip));
      // Seen behind (wide, light), sent in front (narrow, dark): the gap is what was not (yet) sent.
      if (p.seen !== null && p.seen > 0) {
        g.appendChild(svgEl("rect", { "class": "seen", x: (x + slot * 0.1).toFixed(1), width: (slot * 0.8).toFixed(1),
          y: y(p.seen).toFixed(1), height: Math.max(1, (p.seen / topValue) * ph).toFixed(1) }));
      }
      if (p.sent > 0) {
        g.appendChild(svgEl("rect", { "class": "sent", x: (x + slot * 0.25).toFixed(1), width: (slot * 0.5).toFixed(1),
          y: y(p.sent).toFixed(1), height: Math.max(1, (p.sent / topValue) * ph).toFixed(1) }));
      }
      // The whole slot answers the pointer, even when empty.
      g.appendChild(svgEl("rect", { "class": "hit", x: x.toFixed(1), width: slot.toFixed(1), y: top, height: ph }));
      svg.appendChild(g);
      if (p.label) {
        svg.appendChild(svgEl("line", { "class": "axis-line", x1: x + slot / 2, x2: x + slot / 2, y1: top + ph, y2: top + ph + 4 }));
        svg.appendChild(svgEl("text", { "class": "tick", x: x + slot / 2, y: top + ph + 16, "text-anchor": "middle" }, p.label));
      }
    }
    svg.appendChild(svgEl("text", { "class": "axis-title", x: left + pw / 2, y: H - 4, "text-anchor": "middle" }, o.xTitle));
    box.appendChild(svg);
  }
`
