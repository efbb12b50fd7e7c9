// Progressive enhancement only: every page works without JavaScript.
(function () {
  "use strict";

  // The answers currently chosen for a question on this page (checked boxes or a typed number).
  function chosen(form, questionId) {
    var inputs = form.querySelectorAll('[name="q_' + questionId + '"]');
    var values = [];
    Array.prototype.forEach.call(inputs, function (input) {
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) return;
      if (input.value !== "") values.push(input.value);
    });
    return values;
  }

  // The same rules as the server's (app/core/scoring.py): a condition on silence is false.
  function holds(form, rule) {
    if (rule.all) return rule.all.every(function (r) { return holds(form, r); });
    if (rule.any) return rule.any.some(function (r) { return holds(form, r); });
    if (!rule.question) return true;
    var values = chosen(form, rule.question);
    if (values.length === 0) return false;
    if ("unknown" in rule) return (values.indexOf("dont_know") >= 0) === Boolean(rule.unknown);
    if (values.indexOf("dont_know") >= 0) return false;
    if (rule.in) return values.some(function (v) { return rule.in.map(String).indexOf(v) >= 0; });
    if (rule.not_in) return !values.some(function (v) { return rule.not_in.map(String).indexOf(v) >= 0; });
    var number = parseFloat(values[0].replace(",", "."));
    if ("less_than" in rule) return number < rule.less_than;
    if ("at_least" in rule) return number >= rule.at_least;
    return true;
  }

  function updateConditionalQuestions(form) {
    Array.prototype.forEach.call(form.querySelectorAll("[data-show-if]"), function (block) {
      block.hidden = !holds(form, JSON.parse(block.getAttribute("data-show-if")));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (window.DKFDS && typeof window.DKFDS.init === "function") {
      window.DKFDS.init();
    }
    // Move focus to the error summary so screen-reader users hear what went wrong.
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
    Array.prototype.forEach.call(document.querySelectorAll("form"), function (form) {
      if (!form.querySelector("[data-show-if]")) return;
      updateConditionalQuestions(form);
      form.addEventListener("change", function () { updateConditionalQuestions(form); });
      form.addEventListener("input", function () { updateConditionalQuestions(form); });
    });
  });
})();
