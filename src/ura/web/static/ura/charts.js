// Draws every Vega-Lite chart of a statistics page. Each chart is a <div class="vega-chart"
// data-spec="ID"> whose specification is the JSON data block with that id (never executed).
// Under Ura's CSP (no eval, no inline style) vega-embed evaluates expressions with the
// interpreter and injects no style element; ura.css styles the tooltip.
(function () {
  "use strict";
  function draw() {
    document.querySelectorAll(".vega-chart[data-spec]").forEach(function (element) {
      var block = document.getElementById(element.dataset.spec);
      if (!block || element.dataset.chart) { return; }
      var spec = JSON.parse(block.textContent);
      vegaEmbed(element, spec, {
        ast: true, expr: vega.expressionInterpreter, actions: false, defaultStyle: false,
        tooltip: { disableDefaultStyle: true }
      }).then(function () { element.dataset.chart = "rendered"; },
              function (error) { element.dataset.chart = "failed"; console.error(error); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
