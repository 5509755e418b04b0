/* policykg report: sorting (also from ?sort=KEY&dir=desc) and filtering of tables, and the highlighted passage of a source
   text. Progressive enhancement: every page shows all of its content without this script. */
(function () {
  "use strict";
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  var params = new URLSearchParams(window.location.search);

  each(document.querySelectorAll("table.sortable"), function (table) {
    var heads = table.tHead.rows[0].cells;
    each(heads, function (th, index) {
      var button = th.querySelector("button.sort");
      if (!button) { return; }
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        each(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var numeric = button.getAttribute("data-kind") === "number";
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[index].getAttribute("data-value") || a.cells[index].textContent;
          var y = b.cells[index].getAttribute("data-value") || b.cells[index].textContent;
          var c = numeric ? Number(x) - Number(y) : x.localeCompare(y);
          return ascending ? c : -c;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });

  // a sorted view can be linked to: ?sort=violations&dir=desc
  if (params.get("sort")) {
    var column = document.querySelector('th[data-key="' + params.get("sort").replace(/[^a-z]/g, "") + '"] button.sort');
    if (column) {
      column.click();
      if (params.get("dir") === "desc") { column.click(); }
    }
  }

  var portfolio = document.getElementById("portfolio");
  if (portfolio) {
    var filter = document.getElementById("filter");
    var review = document.getElementById("review");
    var violations = document.getElementById("violations-only");
    var shown = document.getElementById("shown");
    filter.value = params.get("q") || "";
    review.value = params.get("review") || "";
    violations.checked = params.get("violations") === "1";
    var apply = function () {
      var wanted = filter.value.trim().toLowerCase();
      var count = 0;
      var rows = portfolio.tBodies[0].rows;
      each(rows, function (row) {
        var visible = (!wanted || row.textContent.toLowerCase().indexOf(wanted) >= 0) &&
          (!review.value || row.getAttribute("data-review") === review.value) &&
          (!violations.checked || Number(row.getAttribute("data-violations")) > 0);
        row.hidden = !visible;
        if (visible) { count += 1; }
      });
      shown.textContent = count + " of " + rows.length + " vendors shown";
    };
    [filter, review, violations].forEach(function (field) {
      field.addEventListener("input", apply);
      field.addEventListener("change", apply);
    });
    apply();
  }

  var severity = document.getElementById("severity");
  if (severity) {
    severity.value = params.get("severity") || "";
    var applySeverity = function () {
      each(document.querySelectorAll("li.finding"), function (item) {
        item.hidden = Boolean(severity.value) && item.getAttribute("data-severity") !== severity.value;
      });
    };
    severity.addEventListener("change", applySeverity);
    applySeverity();
  }

  var pre = document.getElementById("source-text");
  if (pre) {
    var note = document.getElementById("passage-note");
    var highlight = function () {
      var old = document.getElementById("passage");
      if (old) {
        old.parentNode.replaceChild(document.createTextNode(old.textContent), old);
        pre.normalize();
      }
      var match = /^#q-(\d+)-(\d+)$/.exec(window.location.hash);
      if (!match) { return; }
      var text = pre.textContent;
      // offsets in the graph count code points; the DOM counts UTF-16 units
      var unit = function (points) {
        var i = 0;
        for (var n = 0; n < points && i < text.length; n += 1) {
          var c = text.charCodeAt(i);
          i += (c >= 0xD800 && c <= 0xDBFF) ? 2 : 1;
        }
        return i;
      };
      var range = document.createRange();
      range.setStart(pre.firstChild, unit(Number(match[1])));
      range.setEnd(pre.firstChild, unit(Number(match[2])));
      var mark = document.createElement("mark");
      mark.id = "passage";
      mark.tabIndex = -1;
      range.surroundContents(mark);
      note.textContent = "Highlighted: the quoted passage, characters " + match[1] + " to " + match[2] + ".";
      mark.scrollIntoView({ block: "center" });
      mark.focus({ preventScroll: true });
    };
    window.addEventListener("hashchange", highlight);
    highlight();
  }
}());
