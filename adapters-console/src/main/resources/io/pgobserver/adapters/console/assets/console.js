// pg-observer console: swaps in a live page's content every 2 s while the tab is visible, keeps the operator token
// for this tab only, and selects all dead letters. Every page reads without it.
(function () {
  "use strict";
  var PERIOD = 2000;
  var live = document.querySelector("main[data-live]");
  var busy = false;

  function refresh() {
    if (!live || busy || document.hidden) { return; }
    busy = true;
    fetch(window.location.href, { headers: { "X-Console-Live": "1" }, credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (text) { if (text !== null) { live.innerHTML = text; } })
      .catch(function () { /* the next tick tries again */ })
      .then(function () { busy = false; });
  }
  if (live) {
    setInterval(refresh, PERIOD);
    document.addEventListener("visibilitychange", refresh);
  }

  // The token stays in this tab's session storage, never in a cookie: other sites' requests cannot carry it.
  var inputs = document.querySelectorAll("input[data-token]");
  Array.prototype.forEach.call(inputs, function (input) {
    var kept = window.sessionStorage.getItem("pgobserver.console.token");
    if (kept) { input.value = kept; }
    input.form.addEventListener("submit", function () {
      window.sessionStorage.setItem("pgobserver.console.token", input.value);
    });
  });

  var all = document.querySelector("input[data-select-all]");
  if (all) {
    all.addEventListener("change", function () {
      Array.prototype.forEach.call(document.querySelectorAll("#letters input[name=id]"), function (box) {
        box.checked = all.checked;
      });
    });
  }
})();
