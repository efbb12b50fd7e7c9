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

  // A button that copies the secret link; shown only where the browser can copy.
  function setUpCopyButtons() {
    if (!navigator.clipboard || !window.isSecureContext) return;
    Array.prototype.forEach.call(document.querySelectorAll("[data-copy-link]"), function (button) {
      var status = button.parentNode.querySelector(".copy-status");
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(button.getAttribute("data-copy-link")).then(
          function () { status.textContent = button.getAttribute("data-copied"); },
          function () { status.textContent = button.getAttribute("data-copy-failed"); }
        );
      });
    });
  }

  // "You have N characters left": shown at once, told to screen readers after a pause in typing.
  function setUpCharacterLimits() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-char-limit]"), function (hint) {
      var field = document.getElementById(hint.getAttribute("data-for"));
      var status = document.querySelector('[data-char-status="' + hint.getAttribute("data-for") + '"]');
      if (!field) return;
      var limit = parseInt(hint.getAttribute("data-char-limit"), 10);
      var original = hint.textContent;
      var timer = null;
      function message() {
        var left = limit - field.value.length;
        if (field.value.length === 0) return original;
        var template = hint.getAttribute(left >= 0 ? "data-left" : "data-over");
        return template.replace("{count}", String(Math.abs(left)));
      }
      function update() {
        var text = message();
        hint.textContent = text;
        hint.classList.toggle("char-limit-over", field.value.length > limit);
        if (timer) window.clearTimeout(timer);
        timer = window.setTimeout(function () { if (status) status.textContent = text; }, 1000);
      }
      field.addEventListener("input", update);
      if (field.value.length > 0) hint.textContent = message();
    });
  }

  // The header's "Menu" is a link to the footer's list of links until now; with this script it
  // is the button that opens DKFDS's drawer (partials/header.html). Done before DKFDS starts:
  // DKFDS listens only to a menu button that is shown.
  function setUpMenuButton() {
    var link = document.querySelector(".site-header .menu-link");
    var button = document.querySelector(".site-header .js-menu-open");
    if (!link || !button || !window.DKFDS) return;
    button.hidden = false;
    link.hidden = true;
  }

  // DKFDS names the desktop menu's overflow "Mere", in Danish only: the page's own word instead.
  function nameMoreButton() {
    var nav = document.querySelector(".navigation-menu .nav[data-more-label]");
    var label = document.querySelector(".navigation-menu .more-button span");
    if (nav && label) label.textContent = nav.getAttribute("data-more-label");
  }

  // A table wider than its box scrolls inside it (.table-scroll): a line above it says so, for as
  // long as it is wider (a phone turned, a folded section opened). The words are the page's own.
  function setUpScrollHints() {
    var words = document.body.getAttribute("data-table-hint");
    var boxes = document.querySelectorAll(".table-scroll");
    if (!words || !boxes.length) return;
    function update() {
      Array.prototype.forEach.call(boxes, function (box) {
        var hint = box.previousElementSibling;
        var wide = box.scrollWidth > box.clientWidth + 1;
        if (!hint || !hint.classList.contains("table-scroll-hint")) {
          if (!wide) return;
          hint = document.createElement("p");
          hint.className = "table-scroll-hint";
          hint.textContent = words;
          box.parentNode.insertBefore(hint, box);
        }
        hint.hidden = !wide;
      });
    }
    update();
    window.addEventListener("resize", update);
    document.addEventListener("toggle", update, true);  // "toggle" does not bubble
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpCopyButtons();
    setUpScrollHints();
    setUpCharacterLimits();
    setUpMenuButton();
    if (window.DKFDS && typeof window.DKFDS.init === "function") {
      window.DKFDS.init();
      nameMoreButton();
    }
    // Move focus to the error summary so screen-reader users hear what went wrong.
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
    // A box that stands alone ("none", "don't know") clears the others when ticked, and is
    // cleared when another is ticked. The server refuses the combination either way.
    document.addEventListener("change", function (event) {
      var box = event.target;
      if (box.type !== "checkbox" || !box.checked) return;
      var list = box.closest("ul");
      if (!list) return;
      Array.prototype.forEach.call(list.querySelectorAll('input[type="checkbox"]'), function (other) {
        if (other === box) return;
        if (box.hasAttribute("data-exclusive") || other.hasAttribute("data-exclusive")) {
          other.checked = false;
        }
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll("form"), function (form) {
      if (!form.querySelector("[data-show-if]")) return;
      updateConditionalQuestions(form);
      form.addEventListener("change", function () { updateConditionalQuestions(form); });
      form.addEventListener("input", function () { updateConditionalQuestions(form); });
    });
  });
})();
