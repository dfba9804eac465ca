/* Poll an import's progress and reload when it is done (without JS, the page refreshes itself). */
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.getAttribute("data-url");
  if (!url || !window.fetch) { return; }
  var meta = document.querySelector("meta[http-equiv=refresh]");
  if (meta) { meta.parentNode.removeChild(meta); }
  function poll() {
    fetch(url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (data) {
      var bar = document.getElementById("job-progress");
      if (bar) { bar.style.width = data.progress + "%"; }
      var rows = document.getElementById("job-rows");
      if (rows) { rows.textContent = data.processed + " / " + data.total; }
      if (data.status === "pending" || data.status === "running") { setTimeout(poll, 1000); } else { window.location.reload(); }
    }).catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
