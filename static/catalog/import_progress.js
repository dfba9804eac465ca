/* Poll an import's progress and reload when it is done (without JS, the page refreshes itself). */
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.getAttribute("data-url");
  if (!url || !window.fetch) { return; }
  var meta = document.querySelector("meta[http-equiv=refresh]");
  if (meta) { meta.parentNode.removeChild(meta); }
  var started = document.getElementById("job-progress") !== null;
  function poll() {
    fetch(url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (data) {
      if (data.status === "running" && !started) { window.location.reload(); return; }
      var bar = document.getElementById("job-progress");
      if (bar) {
        bar.style.width = data.progress + "%";
        bar.parentNode.setAttribute("aria-valuenow", data.progress);
      }
      var phase = document.getElementById("job-phase");
      if (phase && data.phase_display) { phase.textContent = data.phase_display; }
      var processed = document.getElementById("job-processed");
      var total = document.getElementById("job-total");
      if (processed && total) { processed.textContent = data.processed; total.textContent = data.total; }
      if (data.status === "pending" || data.status === "running") { setTimeout(poll, 1000); } else { window.location.reload(); }
    }).catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
