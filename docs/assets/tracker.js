// Sortable tables: click a header of a .pt-sortable table to sort by that column (no dependencies).
(function () {
  function key(cell) {
    var raw = cell.getAttribute("data-sort");
    if (raw === null) raw = cell.textContent.trim();
    var num = parseFloat(raw);
    return isNaN(num) || !/^-?[\d.]+/.test(raw) ? raw.toLowerCase() : num;
  }
  function sortBy(table, index, th) {
    var body = table.tBodies[0];
    if (!body) return;
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(th.parentNode.children, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a.cells[index]), y = key(b.cells[index]);
      if (typeof x !== typeof y) { x = String(x); y = String(y); }
      return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }
  function init() {
    document.querySelectorAll("table.pt-sortable").forEach(function (table) {
      var head = table.tHead;
      if (!head || table.dataset.sortable) return;
      table.dataset.sortable = "1";
      Array.prototype.forEach.call(head.rows[0].cells, function (th, index) {
        th.tabIndex = 0;
        th.addEventListener("click", function () { sortBy(table, index, th); });
        th.addEventListener("keydown", function (e) { if (e.key === "Enter") sortBy(table, index, th); });
      });
    });
  }
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(init);
  else document.addEventListener("DOMContentLoaded", init);
})();
