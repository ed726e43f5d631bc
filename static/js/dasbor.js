// Kemitraan dashboard: the four charts (Chart.js, vendored). The print button is
// kemitraan.js's (data-print-page).
// The figures come from <script type="application/json" id="dasbor-chart-data">; every chart
// also has its figures in a table on the page, for screen readers and for printing.
(function () {
  var source = document.getElementById("dasbor-chart-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var lang = document.documentElement.lang || "id";
  var english = lang.indexOf("en") === 0;
  var numberFormat = new Intl.NumberFormat(english ? "en-US" : "id-ID");

  // "Rp24 miliar" / "IDR 24 billion": the way the cards write amounts.
  var scales = english
    ? [[1e12, "trillion"], [1e9, "billion"], [1e6, "million"]]
    : [[1e12, "triliun"], [1e9, "miliar"], [1e6, "juta"]];
  function rupiah(value) {
    var prefix = english ? "IDR " : "Rp";
    for (var i = 0; i < scales.length; i++) {
      if (Math.abs(value) >= scales[i][0]) {
        var scaled = Math.round((value / scales[i][0]) * 100) / 100;
        return prefix + numberFormat.format(scaled) + " " + scales[i][1];
      }
    }
    return prefix + numberFormat.format(value);
  }

  var animate = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  Chart.defaults.animation = animate ? Chart.defaults.animation : false;
  Chart.defaults.maintainAspectRatio = false;

  function moneyAxis() {
    return { ticks: { callback: function (value) { return rupiah(value); } } };
  }
  function moneyTooltip() {
    return {
      callbacks: {
        label: function (context) {
          var value = context.parsed.x !== undefined && context.chart.options.indexAxis === "y"
            ? context.parsed.x : context.parsed.y;
          return context.dataset.label + ": " + rupiah(value);
        },
      },
    };
  }
  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) {
      canvas.parentElement.style.position = "relative";
      new Chart(canvas, config);
    }
  }

  var funnelValues = data.funnel.values.map(function (v) { return v === null ? 0 : v; });
  draw("chart-funnel", {
    type: "bar",
    data: {
      labels: data.funnel.labels,
      datasets: [{ label: data.labels.ikm, data: funnelValues, backgroundColor: "#0d6efd" }],
    },
    options: {
      indexAxis: "y",
      plugins: { legend: { display: false } },
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
  draw("chart-provinces", {
    type: "bar",
    data: {
      labels: data.provinces.labels,
      datasets: [{ label: data.labels.market_access, data: data.provinces.values, backgroundColor: "#198754" }],
    },
    options: {
      indexAxis: "y",
      plugins: { legend: { display: false }, tooltip: moneyTooltip() },
      scales: { x: moneyAxis() },
    },
  });
  draw("chart-lenders", {
    type: "bar",
    data: {
      labels: data.lenders.labels,
      datasets: [
        { label: data.labels.signed, data: data.lenders.signed, backgroundColor: "#0d6efd" },
        { label: data.labels.pipeline, data: data.lenders.pipeline, backgroundColor: "#ffc107" },
        { label: data.labels.disbursed, data: data.lenders.disbursed, backgroundColor: "#20c997" },
      ],
    },
    options: { plugins: { tooltip: moneyTooltip() }, scales: { y: moneyAxis() } },
  });
  draw("chart-monthly", {
    type: "line",
    data: {
      labels: data.monthly.labels,
      datasets: [
        { label: data.labels.mou_market_access, data: data.monthly.market_access, borderColor: "#198754", backgroundColor: "#198754" },
        { label: data.labels.akad_signed_amount, data: data.monthly.akad_signed_amount, borderColor: "#0d6efd", backgroundColor: "#0d6efd" },
        { label: data.labels.po_value, data: data.monthly.po_value, borderColor: "#fd7e14", backgroundColor: "#fd7e14" },
      ],
    },
    options: { plugins: { tooltip: moneyTooltip() }, scales: { y: moneyAxis() } },
  });

  // Charts are redrawn at the printed width.
  window.addEventListener("beforeprint", function () {
    Object.values(Chart.instances).forEach(function (chart) { chart.resize(); });
  });
})();
