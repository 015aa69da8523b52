// Live word count of the rancang bangun: the sum over the textareas inside #design.
(function () {
  "use strict";
  var box = document.getElementById("design");
  var out = document.getElementById("design-word-count");
  if (!box || !out) { return; }
  var min = parseInt(box.getAttribute("data-min-words") || "0", 10);
  function count() {
    var total = 0;
    box.querySelectorAll("textarea").forEach(function (area) {
      var words = area.value.trim().split(/\s+/).filter(function (w) { return w.length > 0; });
      total += words.length;
    });
    out.textContent = String(total);
    out.classList.toggle("text-success", total >= min);
  }
  box.addEventListener("input", count);
  count();
})();
