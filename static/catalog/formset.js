/* Add and remove data item rows of the entry form. The form works without this script:
   the server renders extra rows ("增加信息项行") and the delete checkboxes. */
(function () {
  "use strict";
  var table = document.querySelector("table.items[data-prefix]");
  if (!table) { return; }
  var prefix = table.getAttribute("data-prefix");
  var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
  var template = document.getElementById("item-row-template");
  var body = table.querySelector("tbody");

  function markDeleted(row, checkbox) {
    row.classList.toggle("deleted", checkbox.checked);
  }

  function wire(row) {
    var del = row.querySelector("input[name$='-DELETE']");
    var button = row.querySelector("button.remove-row");
    if (del && button) {
      del.parentNode.style.display = "none";
      button.hidden = false;
      button.addEventListener("click", function () {
        var idField = row.querySelector("input[name$='-id']");
        if (idField && idField.value) {
          del.checked = !del.checked;
          markDeleted(row, del);
          button.textContent = del.checked ? button.getAttribute("data-undo") : button.getAttribute("data-label");
        } else {
          row.querySelectorAll("input[type=text], input[type=number]").forEach(function (input) { input.value = ""; });
          del.checked = true;
          row.hidden = true;
        }
      });
    }
  }

  body.querySelectorAll("tr.item-row").forEach(wire);

  var add = document.getElementById("add-item-row");
  if (add && template) {
    add.addEventListener("click", function (event) {
      event.preventDefault();
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("tbody");
      holder.innerHTML = html.trim();
      var row = holder.querySelector("tr");
      body.appendChild(row);
      total.value = String(index + 1);
      wire(row);
      var first = row.querySelector("input[type=text]");
      if (first) { first.focus(); }
    });
  }
})();
