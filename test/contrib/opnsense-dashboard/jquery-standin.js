// A small stand-in for the part of jQuery that OPNsense widgets use here: $(html), $(selector), $(element)
// and append / text / addClass / removeClass / closest / css / children / remove. Like jQuery, $(html)
// parses markup: a string given to append() or $() becomes elements, anything set with text() stays text.
(function () {
  class Q {
    constructor(nodes) {
      this.nodes = nodes;
      this.length = nodes.length;
    }
    append(x) {
      for (const n of this.nodes) {
        for (const c of toNodes(x)) n.appendChild(c);
      }
      return this;
    }
    text(value) {
      if (value === undefined) return this.nodes.map(n => n.textContent).join('');
      for (const n of this.nodes) n.textContent = String(value);
      return this;
    }
    addClass(names) {
      for (const n of this.nodes) n.classList.add(...names.split(/\s+/).filter(Boolean));
      return this;
    }
    removeClass(names) {
      for (const n of this.nodes) n.classList.remove(...names.split(/\s+/).filter(Boolean));
      return this;
    }
    closest(selector) {
      return new Q(this.nodes.map(n => n.closest(selector)).filter(Boolean));
    }
    children(selector) {
      return new Q(this.nodes.flatMap(n => [...n.children].filter(c => selector === undefined || c.matches(selector))));
    }
    css(prop, value) {
      if (typeof prop === 'object') {
        for (const [k, v] of Object.entries(prop)) this.css(k, v);
        return this;
      }
      for (const n of this.nodes) n.style.setProperty(prop, typeof value === 'function' ? value() : value);
      return this;
    }
    remove() {
      for (const n of this.nodes) n.remove();
      return this;
    }
  }
  const parse = html => {
    const t = document.createElement('template');
    t.innerHTML = html.trim();
    return [...t.content.childNodes];
  };
  const toNodes = x => (x instanceof Q ? x.nodes : typeof x === 'string' ? parse(x) : [x]);
  window.$ = x => {
    if (x instanceof Q) return x;
    if (typeof x === 'string') return new Q(x.trim().startsWith('<') ? parse(x) : [...document.querySelectorAll(x)]);
    return new Q([x]);
  };
})();
