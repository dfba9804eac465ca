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

// Masking page: show only the parameters of the chosen rule kind.
(function () {
  "use strict";
  var PARAMS = {
    id_number: ["keep_head", "keep_tail"], mobile: ["keep_head", "keep_tail"],
    name: ["keep_head", "keep_tail"], bank_card: ["keep_head", "keep_tail"],
    address: ["keep_head"], date_generalize: ["granularity"],
    number_generalize: ["step"], hash: ["length"], suppress: []
  };
  var OPTIONAL = ["keep_head", "keep_tail", "granularity", "step", "length"];
  function sync(form) {
    var kind = form.querySelector("select[name=kind]").value;
    var shown = PARAMS[kind] || [];
    form.querySelectorAll("[data-param]").forEach(function (label) {
      var name = label.dataset.param;
      var hide = (OPTIONAL.indexOf(name) >= 0 && shown.indexOf(name) < 0) ||
        (name === "applies_to_all" && !kind);
      label.hidden = hide;
    });
  }
  document.querySelectorAll("form.masking-form").forEach(function (form) {
    form.querySelector("select[name=kind]").addEventListener("change", function () { sync(form); });
    sync(form);
  });
})();
