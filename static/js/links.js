// A link htmx fetches into the page (hx-get, or boosted) still opens in a new
// tab or window on Ctrl/Cmd- or Shift-click, as any link does: htmx 2.0.4
// would swap it in place (it lets only a boosted link's Ctrl/Cmd-click
// through). Stopping such a click (any modifier key) before it reaches the
// link's htmx handler leaves it to the browser. A middle-click is an
// `auxclick`, which htmx leaves alone anyway.
(function () {
  "use strict";
  function htmxLink(target) {
    var link = target instanceof Element ? target.closest("a[href]") : null;
    if (!link) { return null; }
    if (link.matches("[hx-get], [data-hx-get]")) { return link; }
    var boost = link.closest("[hx-boost], [data-hx-boost]");
    var boosted = boost && (boost.getAttribute("hx-boost") || boost.getAttribute("data-hx-boost"));
    return boosted === "true" ? link : null;
  }

  document.addEventListener("click", function (event) {
    var modified = event.ctrlKey || event.metaKey || event.shiftKey || event.altKey;
    if (modified && htmxLink(event.target)) { event.stopPropagation(); }
  }, true);
})();
