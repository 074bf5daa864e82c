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
