// Hovering or focusing a segment of a timeline writes what it is under the timeline.
(function () {
  "use strict";
  function show(event) {
    var el = event.target;
    if (!el.dataset || !el.dataset.start) { return; }
    var tip = el.closest("figure").querySelector(".tip");
    var d = el.dataset;
    tip.textContent = [d.record, d.start + " – " + d.end, d.seconds + " s", d.clause]
      .filter(Boolean).join(" · ");
  }
  document.querySelectorAll(".timeline rect[tabindex]").forEach(function (el) {
    el.addEventListener("mouseenter", show);
    el.addEventListener("focus", show);
  });
})();
