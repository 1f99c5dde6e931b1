// The payment run proposal's totals follow its ticks (issue 17). Each invoice's
// checkbox carries what it pays in whole minor units (data-amount-minor, cents
// for EUR), so the sums are exact integers, never floats of decimal amounts.
// Per payment (data-payment) the ticked invoices are netted against the
// vendor's open credit notes oldest first, as the server does
// (payments.netting): each credit for what it has open, at most what is left,
// the transfer never below zero. Without this script the page's "Recalculate
// the total" button asks the server; with it the button is hidden.
// Listens on the document, so a proposal htmx swaps in is served as well.
(function () {
  "use strict";

  function format(minor, currency, places, form) {
    var digits = String(Math.abs(minor));
    while (digits.length <= places) { digits = "0" + digits; }
    var whole = places ? digits.slice(0, digits.length - places) : digits;
    var fraction = places ? digits.slice(digits.length - places) : "";
    var group = form.getAttribute("data-group-mark") || ",";
    whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, group);
    var decimal = form.getAttribute("data-decimal-mark") || ".";
    return (minor < 0 ? "\u2212" : "") + currency + " " + whole +
      (places ? decimal + fraction : "");
  }

  function places(element) {
    return parseInt(element.getAttribute("data-places"), 10) || 0;
  }

  function recompute(form) {
    var ticked = {};
    var currencies = {};
    form.querySelectorAll("input[data-amount-minor]").forEach(function (box) {
      var key = box.getAttribute("data-payment");
      currencies[key] = box.getAttribute("data-currency");
      ticked[key] = (ticked[key] || 0) +
        (box.checked && !box.disabled ? parseInt(box.getAttribute("data-amount-minor"), 10) : 0);
    });
    var totals = {};
    Object.keys(ticked).forEach(function (key) {
      var left = Math.max(ticked[key], 0);
      form.querySelectorAll('[data-credit-of="' + key + '"]').forEach(function (row) {
        var open = parseInt(row.getAttribute("data-open-minor"), 10) || 0;
        var applied = Math.max(Math.min(open, left), 0);
        left -= applied;
        var cell = row.querySelector("[data-credit-applied]");
        if (cell) {
          cell.textContent = applied
            ? format(-applied, cell.getAttribute("data-currency"), places(cell), form)
            : "\u2014";
        }
      });
      var net = form.querySelector('[data-net-transfer-of="' + key + '"]');
      if (net) {
        net.textContent = format(left, net.getAttribute("data-currency"), places(net), form);
      }
      var note = form.querySelector('[data-no-transfer-of="' + key + '"]');
      if (note) { note.hidden = left !== 0; }
      totals[currencies[key]] = (totals[currencies[key]] || 0) + left;
    });
    form.querySelectorAll("[data-total-currency]").forEach(function (cell) {
      var currency = cell.getAttribute("data-total-currency");
      cell.textContent = format(totals[currency] || 0, currency, places(cell), form);
    });
  }

  function enhance(root) {
    root.querySelectorAll("form[data-proposal]").forEach(function (form) {
      form.querySelectorAll("[data-recalculate]").forEach(function (button) {
        button.hidden = true;
      });
      // A reload may bring back ticks the browser remembered.
      recompute(form);
    });
  }

  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-proposal]");
    if (form && event.target.matches("input[data-amount-minor]")) { recompute(form); }
  });
  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSettle", function () { enhance(document); });
})();
