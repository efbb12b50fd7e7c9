// Advisor pages: warn before the idle timeout and offer to stay logged in. The server logs out
// after the timeout whatever this script does; without JavaScript there is only no warning.
(function () {
  "use strict";

  var box = document.getElementById("session-warning");
  var form = document.getElementById("stay-form");
  if (!box || !form) return;
  var timeout = Number(box.getAttribute("data-idle-timeout")) * 1000;
  var warnAfter = Number(box.getAttribute("data-idle-warning")) * 1000;
  var endUrl = box.getAttribute("data-end-url");
  var warnTimer = null;
  var endTimer = null;

  function schedule() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    box.hidden = true;
    warnTimer = window.setTimeout(function () {
      box.hidden = false;
      var button = form.querySelector("button");
      if (button) button.focus();
    }, warnAfter);
    // Just after the timeout the server has ended the session: reload, and it says so.
    endTimer = window.setTimeout(function () {
      window.location.assign(endUrl);
    }, timeout + 2000);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    }).then(function (response) {
      if (response.ok && (response.headers.get("Content-Type") || "").indexOf("application/json") === 0) {
        schedule();
      } else {
        window.location.assign(endUrl);
      }
    }, function () {
      form.submit();
    });
  });

  schedule();
})();
