/* Report charts (reports/templates/reports/page.html): each <canvas data-rp-chart="ID"> draws the JSON that the
   page put in <script type="application/json" id="ID"> (Django's json_script; no inline script under the CSP).
   Right-to-left on Persian pages (the time axis runs from right to left, legend and tooltips RTL), numbers on the
   axes and in tooltips in the page's digits (Intl, fa-IR), labels as the server wrote them (Jalali), and the
   Okabe–Ito palette, which stays distinct for colour-blind readers. The print button prints the page. */
(function () {
  "use strict";

  var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"];
  var charts = [];

  function formatter(locale, unit) {
    if (unit === "percent") {
      return new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
    }
    return new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  }

  function draw(canvas, rtl, locale) {
    var source = document.getElementById(canvas.getAttribute("data-rp-chart"));
    if (!source) {
      return;
    }
    var spec = JSON.parse(source.textContent);
    var format = formatter(locale, spec.unit);
    var direction = rtl ? "rtl" : "ltr";
    var datasets = spec.datasets.map(function (dataset, i) {
      var colour = PALETTE[i % PALETTE.length];
      return {
        label: dataset.label,
        data: dataset.data,
        borderColor: colour,
        backgroundColor: colour,
        borderWidth: 2,
        pointRadius: spec.labels.length > 45 ? 0 : 3,
        tension: 0, // straight lines: a curve between two counts would dip below zero
        spanGaps: true
      };
    });
    charts.push(new window.Chart(canvas, {
      type: spec.kind,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        locale: locale,
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { rtl: rtl, textDirection: direction },
          tooltip: {
            rtl: rtl,
            textDirection: direction,
            callbacks: {
              label: function (context) {
                var value = context.parsed.y;
                return context.dataset.label + ": " + (value === null ? "—" : format.format(value));
              }
            }
          }
        },
        scales: {
          x: { reverse: rtl, ticks: { maxRotation: 0, autoSkip: true } },
          y: {
            beginAtZero: true,
            position: rtl ? "right" : "left",
            ticks: {
              precision: spec.unit === "percent" ? undefined : 0,
              callback: function (value) { return format.format(value); }
            }
          }
        }
      }
    }));
  }

  function start() {
    var root = document.documentElement;
    var rtl = root.getAttribute("dir") === "rtl";
    var locale = (root.getAttribute("lang") || "fa").indexOf("fa") === 0 ? "fa-IR" : "en-US";
    if (window.Chart) {
      window.Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
      document.querySelectorAll("canvas[data-rp-chart]").forEach(function (canvas) {
        draw(canvas, rtl, locale);
      });
      document.body.setAttribute("data-rp-charts", String(charts.length));
    }
    document.querySelectorAll("[data-rp-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    window.addEventListener("beforeprint", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
