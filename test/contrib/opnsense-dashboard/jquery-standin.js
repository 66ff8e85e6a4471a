// A small stand-in for the part of jQuery (3.5.1 in OPNsense core stable/25.7, www/js/jquery-3.5.1.min.js) that
// the dashboard scripts and the widget use: $(html), $(selector), $(element), $(ready-callback) and append /
// after / before / text / attr / prop / addClass / removeClass / closest / find / children / first / css /
// remove / empty. Like jQuery, a string given to $() or append() that starts with markup becomes elements
// (leading white space allowed, as BaseTableWidget's row templates have), anything set with text() stays
// text, and css() takes a property, an object of them, or a function of (index, current value).
(function () {
  class Q {
    constructor(nodes) {
      this.nodes = nodes;
      this.length = nodes.length;
    }
    append(...xs) {
      for (const n of this.nodes) for (const x of xs) for (const c of toNodes(x)) n.appendChild(c);
      return this;
    }
    after(x) {
      for (const n of this.nodes) n.after(...toNodes(x));
      return this;
    }
    before(x) {
      for (const n of this.nodes) n.before(...toNodes(x));
      return this;
    }
    text(value) {
      if (value === undefined) return this.nodes.map(n => n.textContent).join('');
      for (const n of this.nodes) n.textContent = String(value);
      return this;
    }
    attr(name, value) {
      if (value === undefined) return this.nodes[0]?.getAttribute(name) ?? undefined;
      for (const n of this.nodes) n.setAttribute(name, value);
      return this;
    }
    prop(name) {
      return this.nodes[0]?.[name];
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
    find(selector) {
      return new Q([...new Set(this.nodes.flatMap(n => [...n.querySelectorAll(selector)]))]);
    }
    children(selector) {
      return new Q(this.nodes.flatMap(n => [...n.children].filter(c => selector === undefined || c.matches(selector))));
    }
    first() {
      return new Q(this.nodes.slice(0, 1));
    }
    css(prop, value) {
      if (typeof prop === 'object') {
        for (const [k, v] of Object.entries(prop)) this.css(k, v);
        return this;
      }
      if (value === undefined) return this.nodes[0] ? getComputedStyle(this.nodes[0]).getPropertyValue(prop) : undefined;
      this.nodes.forEach((n, i) => n.style.setProperty(prop, typeof value === 'function' ? value(i, n.style.getPropertyValue(prop)) : value));
      return this;
    }
    remove() {
      for (const n of this.nodes) n.remove();
      return this;
    }
    empty() {
      for (const n of this.nodes) n.replaceChildren();
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
    if (typeof x === 'function') {
      if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => x());
      else x();
      return new Q([document]);
    }
    if (typeof x === 'string') {
      if (x.trim() === '') return new Q([]);
      return new Q(x.trim().startsWith('<') ? parse(x) : [...document.querySelectorAll(x)]);
    }
    return new Q([x]);
  };
  window.jQuery = window.$;
})();
