// After a form comes back with errors, the summary of what to fix takes the focus, so a
// screen reader reads it and a phone shows it (the `autofocus` attribute does the same
// where the browser honours it on a non-form element).
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary && document.activeElement !== summary) {
    summary.focus();
  }
})();
