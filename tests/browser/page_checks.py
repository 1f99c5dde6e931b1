"""
What a person notices on a page, measured in the browser: text too faint to
read (WCAG 2.2 AA contrast) or drawn over, a keyboard focus they cannot see,
form fields without a label, a date field that does not say its format, a
page that scrolls sideways, a table that breaks a date over two lines or
squeezes a column to a sliver, a navigation link out of reach, a filter
field left alone on a row under the others.

Each check returns a list of problems in words (empty when the page is fine),
so a test can visit many pages and report every problem at once.
"""

from playwright.sync_api import Page

# Colour arithmetic shared by the checks: parse a computed colour, blend it
# over what lies beneath (ancestor backgrounds and opacity), WCAG luminance.
_COLOUR_JS = r"""
const parse = (text) => {
  const m = /rgba?\(([^)]*)\)/.exec(text || "");
  if (!m) return null;
  const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
  return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
};
const over = (top, below, alpha = top.a) => ({
  r: top.r * alpha + below.r * (1 - alpha),
  g: top.g * alpha + below.g * (1 - alpha),
  b: top.b * alpha + below.b * (1 - alpha),
  a: 1,
});
const hex = (c) => "#" + [c.r, c.g, c.b]
  .map((v) => Math.round(v).toString(16).padStart(2, "0")).join("");
const luminance = (c) => {
  const lin = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
};
const ratio = (a, b) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
};
// The colours a person sees where `el` is drawn: its background (every
// ancestor's background composited over the white canvas, each group's
// opacity applied) and `colour` drawn on it with the same opacities.
const seen = (el, colour) => {
  const path = [];
  for (let n = el; n && n.nodeType === 1; n = n.parentElement) path.unshift(n);
  const paint = (i, backdrop) => {
    const style = getComputedStyle(path[i]);
    const opacity = Number(style.opacity);
    const bg = parse(style.backgroundColor);
    const under = bg && bg.a > 0 ? over(bg, backdrop) : backdrop;
    const inner = i === path.length - 1
      ? { bg: under, fg: colour ? over(colour, under) : under }
      : paint(i + 1, under);
    return {
      bg: over(inner.bg, backdrop, opacity),
      fg: over(inner.fg, backdrop, opacity),
    };
  };
  return paint(0, { r: 255, g: 255, b: 255, a: 1 });
};
const describe = (el) => {
  let name = el.tagName.toLowerCase();
  if (el.id) name += "#" + el.id;
  else if (el.classList.length) name += "." + [...el.classList].join(".");
  return name;
};
"""

# The texts a person sees: each text node's element, when drawn and not
# clipped away (a visually hidden span, an option of a closed select).
_TEXT_JS = r"""
const hiddenAway = (el) => {
  for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
    const s = getComputedStyle(n);
    const r = n.getBoundingClientRect();
    if ((s.overflow !== "visible" || s.clip !== "auto") && (r.width <= 1 || r.height <= 1)) return true;
  }
  return false;
};
const visible = (el) => el.checkVisibility({ visibilityProperty: true, opacityProperty: true })
  && !el.closest("select, option, script, style, template, noscript, canvas")
  && !hiddenAway(el);
const texts = () => {
  const found = [];
  const done = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    const text = node.textContent.replace(/\s+/g, " ").trim();
    if (!text || done.has(el) || !visible(el)) continue;
    done.add(el);
    found.push({ el, node, text: text.slice(0, 60) });
  }
  return found;
};
"""

CONTRAST_JS = (
    "() => {"
    + _COLOUR_JS
    + _TEXT_JS
    + r"""
  const results = [];
  const measure = (el, text, colourText, fontOf = el) => {
    const colour = parse(colourText);
    const font = getComputedStyle(fontOf);
    const size = parseFloat(font.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(font.fontWeight) >= 700);
    const need = large ? 3 : 4.5;
    if (!colour) {
      results.push({ element: describe(el), text, fg: colourText, bg: "?", ratio: 0, need });
      return;
    }
    const { fg, bg } = seen(el, colour);
    const r = ratio(fg, bg);
    if (r < need) {
      results.push({ element: describe(el), text, fg: hex(fg), bg: hex(bg), ratio: Math.round(r * 100) / 100, need });
    }
  };
  // Text nodes, measured on the element that draws them.
  for (const { el, text } of texts()) measure(el, text, getComputedStyle(el).color);
  // What form fields show: their value, else their placeholder.
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (!visible(el) || ["hidden", "checkbox", "radio", "file", "range", "color"].includes(el.type)) continue;
    if (el.tagName === "SELECT") {
      const option = el.selectedOptions[0];
      if (option && option.text.trim()) measure(el, "[select] " + option.text.trim().slice(0, 50), getComputedStyle(el).color);
    } else if (el.value) {
      measure(el, "[value] " + el.value.slice(0, 50), getComputedStyle(el).color);
    } else if (el.placeholder) {
      measure(el, "[placeholder] " + el.placeholder.slice(0, 50), getComputedStyle(el, "::placeholder").color);
    }
  }
  // Buttons as they look while disabled (htmx disables them during a request).
  for (const el of document.querySelectorAll("button, input[type=submit]")) {
    if (el.disabled || !visible(el)) continue;
    el.disabled = true;
    const text = (el.innerText || el.value).replace(/\s+/g, " ").trim();
    measure(el, "[disabled] " + text.slice(0, 50), getComputedStyle(el).color);
    el.disabled = false;
  }
  return results;
}"""
)

# Text drawn under something else (a hint under a field, a column under the
# next one): the element on top at the middle of the text's first line.
COVERED_JS = (
    "() => {"
    + _COLOUR_JS
    + _TEXT_JS
    + r"""
  const covered = [];
  for (const { el, node, text } of texts()) {
    const range = document.createRange();
    range.selectNodeContents(node);
    let line = [...range.getClientRects()].find((r) => r.width > 0 && r.height > 0);
    if (!line) continue;
    if (line.top < 0 || line.bottom > window.innerHeight) {
      el.scrollIntoView({ block: "center" });
      line = [...range.getClientRects()].find((r) => r.width > 0 && r.height > 0);
    }
    const x = line.left + Math.min(line.width / 2, 8), y = line.top + line.height / 2;
    // Text scrolled out of its own box (a wide table) is not covered.
    let outside = false;
    for (let n = el.parentElement; n; n = n.parentElement) {
      if (["auto", "scroll", "hidden"].includes(getComputedStyle(n).overflowX)) {
        const box = n.getBoundingClientRect();
        if (x < box.left || x > box.right || y < box.top || y > box.bottom) outside = true;
      }
    }
    if (outside) continue;
    const hit = document.elementFromPoint(x, y);
    const passThrough = getComputedStyle(el).pointerEvents === "none";
    if (!hit || hit === el || el.contains(hit) || (passThrough && hit.contains(el))) continue;
    covered.push(`${describe(el)} “${text}” is covered by ${describe(hit)}`);
  }
  window.scrollTo(0, 0);
  return covered;
}"""
)

FOCUS_JS = (
    "() => {"
    + _COLOUR_JS
    + r"""
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const backdrop = seen(el.parentElement || el, null).bg;
  const rings = [];
  const outline = parse(s.outlineColor);
  if (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2 && outline && outline.a > 0) {
    rings.push({ kind: "outline", contrast: ratio(over(outline, backdrop), backdrop), colour: hex(over(outline, backdrop)) });
  }
  if (s.boxShadow && s.boxShadow !== "none") {
    for (const m of s.boxShadow.matchAll(/rgba?\([^)]*\)/g)) {
      const c = parse(m[0]);
      if (c.a > 0) rings.push({ kind: "box-shadow", contrast: ratio(over(c, backdrop), backdrop), colour: hex(over(c, backdrop)) });
    }
  }
  const best = rings.sort((a, b) => b.contrast - a.contrast)[0];
  const label = (el.innerText || el.value || el.getAttribute("aria-label") || el.name || "").replace(/\s+/g, " ").trim();
  return {
    element: describe(el),
    text: label.slice(0, 50),
    key: describe(el) + "|" + label + "|" + (el.getAttribute("href") || el.name || ""),
    ring: best ? best.kind + " " + best.colour : "none",
    contrast: best ? Math.round(best.contrast * 100) / 100 : 0,
    backdrop: hex(backdrop),
  };
}"""
)

UNLABELLED_JS = r"""() => [...document.querySelectorAll("input, select, textarea")]
  .filter((el) => el.type !== "hidden" && el.checkVisibility())
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute("aria-label")
                  && !el.getAttribute("aria-labelledby") && !el.title)
  .map((el) => `${el.tagName.toLowerCase()} name=${el.name}`)"""

OVERFLOW_JS = r"""() => {
  const width = window.innerWidth;
  const scrolls = (n) => ["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(n).overflowX);
  const outside = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.right <= width + 0.5 || !el.checkVisibility()) continue;
    // Inside a scroll box, unless positioned against something outside it.
    const positioned = ["absolute", "fixed"].includes(getComputedStyle(el).position);
    let inner = false;
    for (let n = el.parentElement; n && n !== document.body; n = n.parentElement) {
      if (scrolls(n) && (!positioned || getComputedStyle(n).position !== "static")) { inner = true; break; }
    }
    if (inner) continue;
    const parent = el.parentElement;
    if (parent && parent.getBoundingClientRect().right > width + 0.5 && parent !== document.body) continue;
    const text = (el.innerText || "").replace(/\s+/g, " ").trim().slice(0, 50);
    outside.push(`${el.tagName.toLowerCase()}${el.className ? "." + el.className : ""} "${text}" ends at ${Math.round(r.right)}px`);
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: width,
    outside: outside.slice(0, 8),
  };
}"""

DATE_HINTS_JS = r"""() => [...document.querySelectorAll("input[type=date]")]
  .filter((el) => el.checkVisibility())
  .filter((el) => !(el.getAttribute("aria-describedby") || "").split(" ")
    .map((id) => document.getElementById(id))
    .some((hint) => hint && hint.checkVisibility() && hint.innerText.includes("YYYY-MM-DD")))
  .map((el) => el.labels[0] ? el.labels[0].innerText.trim() : el.name)"""

# Table columns so narrow that words break (a date over two lines, a column
# at a few letters a line), and tables wider than their box without a scroll
# container of their own (columns cut off or drawn over others).
TABLES_JS = r"""() => {
  const problems = [];
  const scrolls = (n) => ["auto", "scroll"].includes(getComputedStyle(n).overflowX);
  for (const table of document.querySelectorAll("table")) {
    if (!table.checkVisibility()) continue;
    const box = table.parentElement;
    let scroller = null;
    for (let n = box; n && n !== document.body; n = n.parentElement) if (scrolls(n)) { scroller = n; break; }
    const caption = (table.caption ? table.caption.innerText : table.rows[0]?.innerText || "")
      .replace(/\s+/g, " ").trim().slice(0, 40);
    if (!scroller && table.getBoundingClientRect().right > box.getBoundingClientRect().right + 1) {
      problems.push(`table “${caption}” is wider than its box and has no scroll container`);
    }
    for (const cell of table.querySelectorAll("td, th")) {
      // A column squeezed to a sliver: a few letters a line.
      const text = cell.innerText.replace(/\s+/g, " ").trim();
      const boxes = [];
      const lines = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = lines.nextNode(); node; node = lines.nextNode()) {
        const range = document.createRange();
        range.selectNodeContents(node);
        boxes.push(...[...range.getClientRects()].filter((r) => r.width > 0));
      }
      boxes.sort((a, b) => a.top - b.top);
      let count = 0, bottom = -Infinity;
      for (const r of boxes) {
        if (r.top >= bottom - 2) { count += 1; bottom = r.bottom; } else bottom = Math.max(bottom, r.bottom);
      }
      if (text.length > 12 && count >= 3 && text.length / count < 4) {
        problems.push(`table “${caption}”: column squeezed to ${Math.round(cell.getBoundingClientRect().width)}px, “${text.slice(0, 30)}” over ${count} lines`);
        continue;
      }
      // A cell's value (a date, a number, a name) broken inside a word; words
      // longer than 24 letters (ids, hashes, file keys) may wrap.
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        // Lists in a cell (what changed, findings) wrap like running text.
        if (parent.closest("li") || parent.getBoundingClientRect().width <= 1) continue;
        for (const word of node.textContent.matchAll(/\S+/g)) {
          if (word[0].length > 24) continue;
          const range = document.createRange();
          range.setStart(node, word.index);
          range.setEnd(node, word.index + word[0].length);
          const parts = [...range.getClientRects()].filter((r) => r.width > 0);
          if (parts.length > 1 && parts.some((r) => r.top >= parts[0].bottom - 2)) {
            problems.push(`table “${caption}”: “${word[0]}” breaks over two lines (column ${Math.round(cell.getBoundingClientRect().width)}px wide)`);
          }
        }
      }
    }
  }
  return problems;
}"""

NAV_JS = r"""() => {
  const nav = document.querySelector('nav[aria-label="Main"]');
  const problems = [];
  for (const el of nav.querySelectorAll("a, button, input:not([type=hidden])")) {
    // A closed menu's links show when it opens; its summary is checked.
    if (el.closest("details:not([open]) > ul")) continue;
    const name = (el.innerText || el.getAttribute("aria-label") || "").trim();
    const r = el.getBoundingClientRect();
    if (!el.checkVisibility() || r.width < 1 || r.height < 1) { problems.push(`${name}: not shown`); continue; }
    if (r.left < 0 || r.right > window.innerWidth) { problems.push(`${name}: off the screen (${Math.round(r.left)}-${Math.round(r.right)}px)`); continue; }
    el.scrollIntoView({ block: "nearest" });
    const r2 = el.getBoundingClientRect();
    const hit = document.elementFromPoint(r2.left + r2.width / 2, r2.top + r2.height / 2);
    if (!hit || !(hit === el || el.contains(hit) || hit.contains(el) && hit.tagName === "LABEL")) {
      problems.push(`${name}: covered by ${hit ? hit.tagName.toLowerCase() : "nothing"}`);
    }
  }
  window.scrollTo(0, 0);
  return problems;
}"""

# A filter form's fields, grouped by the row they sit on (their labels' tops).
FILTER_ROWS_JS = r"""() => [...document.querySelectorAll("form.filters")]
  .filter((form) => form.checkVisibility())
  .map((form) => {
    const rows = new Map();
    for (const el of form.querySelectorAll("input:not([type=hidden]), select, textarea")) {
      if (!el.checkVisibility()) continue;
      const label = el.labels && el.labels[0];
      // A field's row is where its box starts (a checkbox's label sits level
      // with the inputs, below the other labels, but in the same row).
      const box = el.closest(".date-range > *, form.filters > *") || label || el;
      const top = Math.round(box.getBoundingClientRect().top);
      rows.set(top, [...(rows.get(top) || []), label ? label.innerText.trim() : el.name]);
    }
    return {
      name: form.getAttribute("aria-label") || "",
      rows: [...rows.entries()].sort((a, b) => a[0] - b[0]).map((row) => row[1]),
    };
  })"""


def settle(page: Page) -> None:
    """
    Turn the page's transitions off: a colour read the moment a state changes
    (disabled, focused) is the transition's start, not what a person sees.
    """
    # A constructed style sheet: the Content-Security-Policy refuses an added
    # <style> element without the page's nonce, as it would an attacker's.
    page.evaluate(
        """(css) => {
          const sheet = new CSSStyleSheet();
          sheet.replaceSync(css);
          document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
        }""",
        "*, *::before, *::after "
        "{ transition: none !important; animation: none !important; }",
    )


def contrast_problems(page: Page) -> list[str]:
    """Every visible text whose contrast with its background is below WCAG AA."""
    settle(page)
    return [
        f"{f['element']} “{f['text']}”: {f['fg']} on {f['bg']} is {f['ratio']}:1, "
        f"needs {f['need']}:1"
        for f in page.evaluate(CONTRAST_JS)
    ]


def covered_text(page: Page) -> list[str]:
    """Every visible text that something else is drawn over."""
    return page.evaluate(COVERED_JS)


def focus_problems(page: Page, *, max_tabs: int = 80) -> list[str]:
    """
    Tab through the page: every element that takes the focus must show a
    ring (outline or box-shadow) of at least 3:1 against its background.
    """
    settle(page)
    page.locator("body").focus()
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    problems, seen = [], set()
    for _ in range(max_tabs):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_JS)
        if focused is None or focused["key"] in seen:
            break
        seen.add(focused["key"])
        if focused["contrast"] < 3:
            problems.append(
                f"focus on {focused['element']} “{focused['text']}”: ring "
                f"{focused['ring']} on {focused['backdrop']} is "
                f"{focused['contrast']}:1, needs 3:1"
            )
    if not seen:
        problems.append("Tab reaches nothing on this page")
    return problems


def unlabelled_fields(page: Page) -> list[str]:
    """Form fields a screen reader could not name."""
    return [f"field without a label: {name}" for name in page.evaluate(UNLABELLED_JS)]


def date_format_problems(page: Page) -> list[str]:
    """
    Date fields show the browser's locale (11/28/2026) while the app prints
    2026-11-28: each must state that format below it, as its description.
    """
    return [
        f"date field “{label}” does not say YYYY-MM-DD"
        for label in page.evaluate(DATE_HINTS_JS)
    ]


def width_problems(page: Page) -> list[str]:
    """The page must not scroll sideways (a table may, inside its own box)."""
    measured = page.evaluate(OVERFLOW_JS)
    if measured["scrollWidth"] <= measured["innerWidth"]:
        return []
    return [
        f"scrolls sideways: {measured['scrollWidth']}px wide in a "
        f"{measured['innerWidth']}px window; sticking out: "
        + "; ".join(measured["outside"])
    ]


def table_problems(page: Page) -> list[str]:
    """Tables that cut columns off or break words (dates, numbers) over lines."""
    return page.evaluate(TABLES_JS)


def navigation_problems(page: Page) -> list[str]:
    """Every link and control of the main navigation on screen and clickable."""
    return [f"navigation: {problem}" for problem in page.evaluate(NAV_JS)]


def filter_layout_problems(page: Page) -> list[str]:
    """
    A filter form's fields on one row, or wrapped so that no field is left
    alone on a row of its own (the "To" of a date range under the others).
    """
    problems = []
    for form in page.evaluate(FILTER_ROWS_JS):
        rows = form["rows"]
        if len(rows) > 1 and any(len(row) == 1 for row in rows):
            problems.append(
                f"filters “{form['name']}”: fields wrap "
                + " / ".join(", ".join(row) for row in rows)
                + ", one alone on its row"
            )
    return problems


# Installed in every browser context before any page script runs
# (tests/browser/conftest.py), so each refusal of the Content-Security-Policy,
# at load or in a later htmx swap, is kept for csp_violations().
CSP_WATCH_JS = r"""
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} refused ${event.blockedURI || "inline code"}` +
    ` (${event.sourceFile || "the page"}:${event.lineNumber})`
  );
});
"""

CHARTS_JS = r"""() => [...document.querySelectorAll("canvas[data-chart]")]
  .filter((canvas) => typeof Chart === "undefined" || !Chart.getChart(canvas))
  .map((canvas) => `chart ${canvas.dataset.chart} was not drawn`)"""


def csp_violations(page: Page) -> list[str]:
    """What the page's Content-Security-Policy refused since it was opened."""
    return [
        f"Content-Security-Policy: {violation}"
        for violation in page.evaluate("() => window.__cspViolations || []")
    ]


def undrawn_charts(page: Page) -> list[str]:
    return page.evaluate(CHARTS_JS)


# The two widths every page is checked at: a laptop and a tablet held upright.
LAPTOP = {"width": 1280, "height": 800}
TABLET = {"width": 768, "height": 1024}


def page_problems(page: Page, viewport, *, also=()) -> list[str]:
    """
    Every check a page must pass at `viewport`, and the checks in `also`:
    readable, labelled, within the width, tables and links sound, the
    keyboard's focus visible (once, at the laptop width: the ring does not
    change with it).
    """
    found = (
        contrast_problems(page)
        + covered_text(page)
        + unlabelled_fields(page)
        + width_problems(page)
        + table_problems(page)
        + navigation_problems(page)
    )
    for check in also:
        found += check(page)
    if viewport is LAPTOP:
        found += focus_problems(page)
    return found
