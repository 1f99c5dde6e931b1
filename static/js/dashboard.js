// Draw the dashboard's charts from the figures the page embeds (json_script).
(function () {
  "use strict";
  var source = document.getElementById("dashboard-figures");
  if (!source || typeof Chart === "undefined") { return; }
  var figures = JSON.parse(source.textContent);
  var colour = "#1f6feb";
  var options = { animation: false, plugins: { legend: { display: false } } };

  function bar(canvas, labels, values, horizontal) {
    new Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: [{ data: values, backgroundColor: colour }] },
      options: Object.assign({ indexAxis: horizontal ? "y" : "x" }, options)
    });
  }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var kind = canvas.dataset.chart, currency = canvas.dataset.currency;
    if (kind === "spend_quarter") {
      var rows = figures.spend_quarter[currency] || [];
      bar(canvas, rows.map(function (r) { return r.vendor; }),
          rows.map(function (r) { return Number(r.amount); }), true);
    } else if (kind === "ageing") {
      var buckets = figures.ageing[currency] || {};
      // [bucket, label] pairs in the table's order, "Not yet due" first.
      var order = figures.ageing_labels;
      bar(canvas, order.map(function (pair) { return pair[1]; }),
          order.map(function (pair) { return Number(buckets[pair[0]].amount); }), false);
    } else if (kind === "match_rate") {
      new Chart(canvas, {
        type: "line",
        data: {
          labels: figures.match_rate.map(function (w) { return w.week; }),
          datasets: [{ data: figures.match_rate.map(function (w) { return w.rate; }),
                       borderColor: colour, spanGaps: true }]
        },
        options: Object.assign({ scales: { y: { min: 0, max: 100 } } }, options)
      });
    }
  });
})();
