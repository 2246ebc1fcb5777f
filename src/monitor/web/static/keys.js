// Keyboard shortcuts of the workbench: j/k move, o open, s star, d dismiss,
// r relevant, n not relevant, / search. No inline script: loaded from /static.
(function () {
  "use strict";
  var KEYS = { s: "star", d: "dismiss", r: "relevant", n: "not_relevant" };
  function entries() { return Array.prototype.slice.call(document.querySelectorAll(".entry")); }
  function current() { return document.querySelector(".entry.selected") || entries()[0] || null; }
  function select(el) {
    entries().forEach(function (e) { e.classList.remove("selected"); });
    if (el) { el.classList.add("selected"); el.scrollIntoView({ block: "nearest" }); }
  }
  function move(step) {
    var list = entries();
    if (!list.length) { return; }
    var i = list.indexOf(document.querySelector(".entry.selected"));
    select(list[Math.max(0, Math.min(list.length - 1, i < 0 ? 0 : i + step))]);
  }
  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) { return; }
    var key = ev.key;
    if (key === "j") { move(1); }
    else if (key === "k") { move(-1); }
    else if (key === "/") { var q = document.getElementById("q"); if (q) { q.focus(); q.select(); } }
    else if (key === "o") { var e = current(); if (e && e.dataset.href) { window.location.href = e.dataset.href; } }
    else if (KEYS[key]) {
      var el = current();
      var button = el && el.querySelector('[data-key-action="' + KEYS[key] + '"]');
      if (!button) { return; }
      if (!el.classList.contains("selected")) { select(el); }
      button.click();
    } else { return; }
    ev.preventDefault();
  });
  document.addEventListener("DOMContentLoaded", function () { if (document.querySelector(".entry.item")) { select(current()); } });
})();
