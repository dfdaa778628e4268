/* Partnernetz – keyboard and narrow-screen helpers (no external code).
 *
 * "/" focuses the page's search field (an element marked .page-search, the
 * Netzwerk search box, Matchmaking's target, the Kontakte text field),
 * unless the user is typing in a field already.
 * The Netzwerk page's hover tooltip is placed at the last pointer position
 * and hidden when the pointer moves away from it.
 * Panels marked <details class="fold-narrow"> start folded on narrow screens
 * (< 760 px), so filters do not push the results below the fold.
 */
(function () {
  "use strict";
  function typing(el) {
    if (!el) { return false; }
    var tag = (el.tagName || "").toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || el.isContentEditable;
  }
  function searchField() {
    // the Netzwerk search box, Matchmaking's target picker, the Kontakte free-text field
    return document.querySelector(
      ".page-search input, input.page-search, .main-search input, input.main-search, .mm-target input, #contacts-text");
  }
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "/" || ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target)) { return; }
    var field = searchField();
    if (!field) { return; }
    ev.preventDefault();
    field.focus();
    if (field.select) { field.select(); }
  });
  function foldNarrow(root) {
    if (window.innerWidth >= 760) { return; }
    (root || document).querySelectorAll("details.fold-narrow:not([data-folded])").forEach(function (d) {
      d.setAttribute("data-folded", "1");
      d.open = false;
    });
  }
  // the Netzwerk hover tooltip: remember the pointer, hide the tip once the pointer moves on
  document.addEventListener("mousemove", function (ev) {
    window.partnernetzPointer = { x: ev.clientX, y: ev.clientY };
    var shown = window.partnernetzTip;
    if (shown && Math.abs(ev.clientX - shown.x) + Math.abs(ev.clientY - shown.y) > 36) {
      document.querySelectorAll(".network-tooltip").forEach(function (tip) { tip.hidden = true; });
      window.partnernetzTip = null;
    }
  }, { passive: true });
  new MutationObserver(function () { foldNarrow(document); })
    .observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", function () { foldNarrow(document); });
})();
