/* Progressive enhancement for the roadmap: filter the milestone table by phase, status and
   owner. Without JavaScript the whole table shows; nothing here is needed to read the plan. */
(function () {
  "use strict";

  function setUp(container) {
    var table = container.parentElement.querySelector("table");
    if (!table) return;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var status = document.createElement("p");
    status.setAttribute("role", "status");
    status.className = "tp-filter-count";
    var filters = [["phase", "Phase"], ["status", "Status"], ["owner", "Owner"]].map(function (pair) {
      var key = pair[0];
      var values = [];
      rows.forEach(function (row) {
        var value = row.dataset[key];
        if (values.indexOf(value) === -1) values.push(value);
      });
      values.sort();
      var label = document.createElement("label");
      label.textContent = pair[1];
      var select = document.createElement("select");
      select.dataset.key = key;
      select.add(new Option("All", ""));
      values.forEach(function (value) { select.add(new Option(value, value)); });
      select.addEventListener("change", apply);
      label.appendChild(select);
      container.appendChild(label);
      return select;
    });
    container.appendChild(status);
    container.hidden = false;

    function apply() {
      var shown = 0;
      rows.forEach(function (row) {
        var match = filters.every(function (select) {
          return !select.value || row.dataset[select.dataset.key] === select.value;
        });
        row.hidden = !match;
        if (match) shown += 1;
      });
      status.textContent = "Showing " + shown + " of " + rows.length + " milestones.";
    }
    apply();
  }

  document.querySelectorAll("[data-tp-filters]").forEach(setUp);
})();
