/* Small helpers for every page: focus the error summary, print buttons, and make a table
   that scrolls sideways inside its box reachable by keyboard (a focusable, named region). */
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  function scrollable(box) {
    var scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls) {
      var caption = box.querySelector("caption");
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", (caption ? caption.textContent.trim() + ": " : "") + "table, scrolls sideways");
    } else if (box.getAttribute("role") === "region") {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  }
  var boxes = document.querySelectorAll(".table-wrap");
  Array.prototype.forEach.call(boxes, scrollable);
  if (window.ResizeObserver) {
    var watch = new ResizeObserver(function (entries) {
      entries.forEach(function (entry) { scrollable(entry.target); });
    });
    Array.prototype.forEach.call(boxes, function (box) { watch.observe(box); });
  }
})();
