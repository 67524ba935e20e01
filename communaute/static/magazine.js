// Live character count for the testimony text (progressive enhancement: the server
// checks the limit and says by how much to shorten when JavaScript is off).
(function () {
  "use strict";
  var area = document.querySelector("textarea[data-max]");
  var out = document.getElementById("text-count");
  if (!area || !out) { return; }
  var max = parseInt(area.getAttribute("data-max"), 10);
  var template = out.getAttribute("data-template");
  var over = out.getAttribute("data-over");
  var timer = null;
  function update() {
    var n = area.value.length;
    var text = n > max
      ? over.replace("%(n)s", n).replace("%(over)s", n - max)
      : template.replace("%(n)s", n).replace("%(max)s", max);
    out.textContent = text;
    out.classList.toggle("char-count-over", n > max);
  }
  area.addEventListener("input", function () {
    // Debounced so a screen reader is not flooded with every keystroke.
    window.clearTimeout(timer);
    timer = window.setTimeout(update, 400);
  });
})();
