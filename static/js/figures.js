// Charts on the figures pages, drawn from the tables that carry their values.
//
// Progressive enhancement: each chart's values are in a table that stays in the page (and is
// all there is without JavaScript). A table marked `data-chart` ("line", "bar" or "funnel")
// gets a canvas before it; its cells give their values as plain numbers in `data-value`, so
// nothing localised is ever parsed here. An empty `data-value` ("< 5", "—") draws nothing.
(function () {
  "use strict";

  if (typeof window.Chart === "undefined") {
    return;
  }

  // One series a chart, in the site's purple: well above 3:1 against white.
  var INK = "#4b2473";
  var TEXT = "#212529";
  var GRID = "#dee2e6";
  var still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var locale = document.documentElement.lang === "fr" ? "fr-CA" : "en-CA";

  function valuesOf(table) {
    var labels = [];
    var values = [];
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var cell = row.querySelector("[data-value]");
      var header = row.querySelector("th");
      if (!cell || !header) {
        return;
      }
      var raw = cell.getAttribute("data-value");
      labels.push(header.textContent.trim());
      values.push(raw === "" ? null : Number(raw));
    });
    return { labels: labels, values: values };
  }

  function draw(table) {
    var kind = table.getAttribute("data-chart");
    var axis = table.getAttribute("data-axis") || "";
    var share = table.getAttribute("data-unit") === "share";
    var data = valuesOf(table);
    if (!data.labels.length) {
      return;
    }
    var frame = document.createElement("div");
    frame.className = "figure-chart figure-chart-" + kind;
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", table.getAttribute("data-chart-label") || "");
    frame.appendChild(canvas);
    table.parentNode.insertBefore(frame, table);

    var across = kind === "funnel";
    var valueAxis = {
      beginAtZero: true,
      // A share is drawn as a percentage, on its whole scale.
      max: share ? 100 : undefined,
      title: { display: axis !== "", text: axis, color: TEXT },
      ticks: { color: TEXT, precision: 0 },
      grid: { color: GRID },
    };
    var labelAxis = { ticks: { color: TEXT }, grid: { display: false } };
    new window.Chart(canvas, {
      type: kind === "line" ? "line" : "bar",
      data: {
        labels: data.labels,
        datasets: [
          {
            label: axis,
            data: data.values,
            backgroundColor: INK,
            borderColor: INK,
            pointBackgroundColor: INK,
            pointRadius: 3,
            borderWidth: kind === "line" ? 2 : 0,
            spanGaps: false,
          },
        ],
      },
      options: {
        locale: locale,
        indexAxis: across ? "y" : "x",
        animation: still ? false : { duration: 400 },
        maintainAspectRatio: false,
        responsive: true,
        plugins: { legend: { display: false } },
        scales: across ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis },
      },
    });
  }

  function drawAll(root) {
    root.querySelectorAll("table[data-chart]").forEach(function (table) {
      if (!table.dataset.drawn) {
        table.dataset.drawn = "1";
        draw(table);
      }
    });
  }

  window.Chart.defaults.color = TEXT;
  drawAll(document);
})();
