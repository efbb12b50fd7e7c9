// Check your answers: each dimension's answers fold in a <details> (app/assessment/answer_rows.py).
// Progressive enhancement only: without this script every section still opens by its summary.
(function () {
  "use strict";

  function sections() {
    return Array.prototype.slice.call(document.querySelectorAll("details.answers-fold"));
  }

  // A link to an answer, or to a section (a change link comes back to #section-...), opens the
  // section that holds it: Chromium opens a <details> for a link into it, other browsers do not.
  function openTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) return;
    var fold = target.closest("details") || target.querySelector("details.answers-fold");
    if (!fold || fold.open) return;
    fold.open = true;
    target.scrollIntoView();
  }

  // "Show all sections" / "Hide all sections", shown only where this script runs.
  function setUpToggle() {
    var button = document.querySelector("[data-open-all]");
    if (!button || !sections().length) return;
    function update() {
      var allOpen = sections().every(function (fold) { return fold.open; });
      button.textContent = button.getAttribute(allOpen ? "data-close-all" : "data-open-all");
      button.setAttribute("aria-expanded", allOpen ? "true" : "false");
    }
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      sections().forEach(function (fold) { fold.open = open; });
      update();
    });
    // "toggle" does not bubble: listened to on the way down.
    document.addEventListener("toggle", update, true);
    button.parentNode.hidden = false;
    update();
  }

  // Printed, every answer shows; afterwards the sections fold as they were.
  var openBeforePrint = null;
  window.addEventListener("beforeprint", function () {
    openBeforePrint = sections().map(function (fold) { return fold.open; });
    sections().forEach(function (fold) { fold.open = true; });
  });
  window.addEventListener("afterprint", function () {
    if (!openBeforePrint) return;
    var was = openBeforePrint;
    sections().forEach(function (fold, i) { fold.open = was[i]; });
    openBeforePrint = null;
  });

  document.addEventListener("DOMContentLoaded", function () {
    setUpToggle();
    openTarget();
  });
  window.addEventListener("hashchange", openTarget);
})();
