// Progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // Quick exit: leave at once and replace this page in the history, so Back does not return.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-quick-exit]");
    if (!link) {
      return;
    }
    event.preventDefault();
    window.location.replace(link.href);
  });

  // Within a [data-replace-history] area (the victims' support pages), another page of the
  // same list replaces this one in the history instead of adding an entry, so Quick exit's
  // replacement leaves no earlier page of it for Back to return to.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-replace-history] a[href]");
    if (
      !link ||
      event.defaultPrevented ||
      event.button !== 0 ||
      event.ctrlKey ||
      event.metaKey ||
      event.shiftKey ||
      event.altKey ||
      link.origin !== window.location.origin ||
      link.pathname !== window.location.pathname
    ) {
      return;
    }
    event.preventDefault();
    window.location.replace(link.href);
  });

  // Escape pressed twice in a row also leaves.
  var lastEscape = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var now = Date.now();
    var link = document.querySelector("[data-quick-exit]");
    if (link && now - lastEscape < 600) {
      window.location.replace(link.href);
    }
    lastEscape = now;
  });
})();
