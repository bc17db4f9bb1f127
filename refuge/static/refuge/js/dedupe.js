// The search for duplicates runs in its own process: while it runs, ask how far it got
// every two seconds and show it, and reload the page once it has ended (with its result).
(function () {
  "use strict";
  var job = document.getElementById("job");
  if (!job || !job.hasAttribute("data-active")) return;
  var bar = job.querySelector("progress");
  function show(field, text) {
    var node = job.querySelector("[data-field=" + field + "]");
    if (node && text) node.textContent = text;
  }
  function poll() {
    fetch(job.dataset.progressUrl, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        var state = body.job;
        if (!state || !state.active) { window.location.reload(); return; }
        bar.value = state.percent;
        bar.textContent = state.percent + "%";
        show("status_label", state.status_label.charAt(0).toUpperCase() + state.status_label.slice(1));
        show("step_label", state.step_label);
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
})();
