/* Progressive enhancement only: every page works without this file.
   - print buttons (hidden without JavaScript; the summary page prints with the browser's own menu)
   - "expand / collapse all" for the decision traces
   - move focus to the error summary so keyboard and screen-reader users land on it */
(function () {
  "use strict";

  function each(selector, fn) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), fn);
  }

  each(".js-print", function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  each(".js-toggle-details", function (button) {
    var selector = button.getAttribute("data-target") || "details";
    var openLabel = button.getAttribute("data-open-label") || button.textContent;
    var closeLabel = button.getAttribute("data-close-label") || button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      each(selector, function (details) { details.open = open; });
      button.setAttribute("aria-expanded", open ? "true" : "false");
      button.textContent = open ? closeLabel : openLabel;
    });
  });

  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
