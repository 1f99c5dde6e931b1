// After a refused submit, take the keyboard (and the eye) to the first field
// in error, not to the form's first field: a person reads the message beside
// it and types the fix at once. Django marks such fields aria-invalid="true".
// On a whole page that is at load; on a part htmx swaps in, only when the
// server refused the request (4xx), so "Add line" and paging keep the focus
// where the person had it. A static file, since the Content-Security-Policy
// refuses inline scripts.
(function () {
  "use strict";
  function focusFirstError(root) {
    var fields = root.querySelectorAll('[aria-invalid="true"]');
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (field.disabled || field.getClientRects().length === 0) { continue; }
      // Centred rather than at the window's edge, so its label and message show.
      field.focus({ preventScroll: true });
      field.scrollIntoView({ block: "center" });
      return true;
    }
    return false;
  }

  focusFirstError(document);

  document.addEventListener("htmx:afterSettle", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status >= 400 && xhr.status < 500) {
      // An outerHTML swap settles the new element; the old one is gone.
      var part = event.detail.elt;
      focusFirstError(part && part.isConnected ? part : document);
    }
  });
})();
