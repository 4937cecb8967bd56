// Draws each figure whose JSON the page carries (script#<name>) into #chart-<name>.
(function () {
  document.querySelectorAll("script[type='application/json']").forEach(function (data) {
    const target = document.getElementById("chart-" + data.id);
    if (!target || typeof Plotly === "undefined") return;
    const figure = JSON.parse(JSON.parse(data.textContent));
    Plotly.newPlot(target, figure.data, figure.layout, {displayModeBar: false, responsive: true});
  });
  const progress = document.querySelector("[data-progress-url]");
  if (progress) {
    const poll = function () {
      fetch(progress.dataset.progressUrl, {headers: {Accept: "application/json"}})
        .then(function (response) { return response.json(); })
        .then(function (state) {
          progress.querySelector("progress").value = state.percent;
          progress.querySelector("[data-label]").textContent = state.label + " " + state.percent + "%";
          if (!state.done) setTimeout(poll, 1500);
        });
    };
    setTimeout(poll, 1500);
  }
})();
