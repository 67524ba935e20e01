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
  // "20 000" in French, "20,000" in English: the page's language, as the server writes it.
  var lang = document.documentElement.lang === "en" ? "en-CA" : "fr-CA";
  function num(x) { return x.toLocaleString(lang); }
  function update() {
    var n = area.value.length;
    var text = n > max
      ? over.replace("%(n)s", num(n)).replace("%(over)s", num(n - max))
      : template.replace("%(n)s", num(n)).replace("%(max)s", num(max));
    out.textContent = text;
    out.classList.toggle("char-count-over", n > max);
  }
  area.addEventListener("input", function () {
    // Debounced so a screen reader is not flooded with every keystroke.
    window.clearTimeout(timer);
    timer = window.setTimeout(update, 400);
  });
})();
