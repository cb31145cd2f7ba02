// WCAG 2.1 checks over the rendered page (run by tests/test_ui_browser.py through Playwright):
// the contrast of every visible text against the colour behind it (1.4.3: 4.5:1, 3:1 for large
// text) and the accessible name of every visible button (4.1.2). Disabled controls are exempt,
// as WCAG exempts them.
() => {
  const parse = (css) => {
    const m = css && css.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const over = (top, under) => ({
    r: top.r * top.a + under.r * (1 - top.a),
    g: top.g * top.a + under.g * (1 - top.a),
    b: top.b * top.a + under.b * (1 - top.a),
    a: 1,
  });
  const luminance = ({ r, g, b }) => {
    const f = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const behind = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const style = getComputedStyle(e);
      // A gradient counts by its first colour (Gradio's buttons use flat gradients).
      const colour = parse(style.backgroundColor) || null;
      const image = style.backgroundImage !== "none" ? parse(style.backgroundImage) : null;
      for (const c of [image, colour]) {
        if (c && c.a > 0) layers.push(c);
      }
      if (layers.length && layers[layers.length - 1].a >= 1) break;
    }
    let bg = { r: 255, g: 255, b: 255, a: 1 };
    for (const c of layers.reverse()) bg = over(c, bg);
    return bg;
  };
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return false;
    for (let e = el; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.visibility === "hidden" || s.display === "none" || Number(s.opacity) === 0) return false;
    }
    return true;
  };
  const path = (el) => {
    const parts = [];
    for (let e = el; e && parts.length < 4; e = e.parentElement) {
      parts.unshift(e.id ? `#${e.id}` : e.tagName.toLowerCase());
      if (e.id) break;
    }
    return parts.join(" > ");
  };
  const texts = [];
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || !node.textContent.trim() || seen.has(el)) continue;
    seen.add(el);
    if (["SCRIPT", "STYLE", "NOSCRIPT"].includes(el.tagName) || !shown(el)) continue;
    if (el.closest("[disabled], [aria-disabled='true'], svg, canvas")) continue;
    const style = getComputedStyle(el);
    const bg = behind(el);
    const fg = over(parse(style.color), bg);
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (Number(style.fontWeight) >= 700 && size >= 18.66);
    texts.push({
      text: node.textContent.trim().slice(0, 40),
      where: path(el),
      ratio: Math.round(ratio * 100) / 100,
      needed: large ? 3 : 4.5,
      color: style.color,
    });
  }
  const unnamed = [];
  for (const b of document.querySelectorAll("button, [role='button']")) {
    if (!shown(b) || b.closest("[disabled]")) continue;
    const name = (b.getAttribute("aria-label") || b.getAttribute("title") || b.innerText || "")
      .trim();
    const labelled = b.getAttribute("aria-labelledby");
    if (!name && !labelled) unnamed.push(path(b));
  }
  return { texts, unnamed };
}
