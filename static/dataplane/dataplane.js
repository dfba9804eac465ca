// Version page: follow the validation progress and reload when it is done.
(function () {
  "use strict";
  var box = document.getElementById("version-status");
  if (!box || box.dataset.finished === "1") { return; }
  var url = box.dataset.progressUrl;
  function field(name) { return box.querySelector('[data-field="' + name + '"]'); }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.finished) { window.location.reload(); return; }
        var bar = field("progress"); if (bar) { bar.value = data.progress; bar.textContent = data.progress + "%"; }
        var stage = field("stage"); if (stage) { stage.textContent = data.stage; }
        var status = field("status_display"); if (status) { status.textContent = data.status_display; }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
