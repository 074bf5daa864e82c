// Names for what the admin's scripts draw without one, once they have drawn it: on "load",
// after the two-list selector, and behind jQuery's own ready handlers, after the autocomplete
// boxes. No inline style: the site's policy refuses them.
"use strict";

function nameWhatTheAdminDrew() {
  // The two-list selector's search icons carry an aria-label that a plain span may not have.
  document.querySelectorAll(".search-label-icon[aria-label]:not([role])").forEach(function (icon) {
    icon.setAttribute("role", "img");
  });

  // Autocomplete boxes (select2, whose text shows as "select2-<id>-container"): named by the
  // label of the list they replace.
  document.querySelectorAll(".select2-selection__rendered[id]").forEach(function (rendered) {
    const id = rendered.id.replace(/^select2-/, "").replace(/-container$/, "");
    const label = document.querySelector('label[for="' + id + '"]');
    const box = rendered.closest('[role="combobox"]');
    if (!label || !box) {
      return;
    }
    label.id = label.id || id + "_label";
    box.setAttribute("aria-labelledby", label.id);
    rendered.setAttribute("aria-labelledby", label.id);
  });

  // Fields edited in a list: named by their column and their row.
  const table = document.getElementById("result_list");
  if (table) {
    const headers = Array.from(table.querySelectorAll("thead th")).map(function (th) {
      return th.textContent.trim();
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      const name = row.querySelector("th");
      Array.from(row.children).forEach(function (cell, index) {
        cell.querySelectorAll("input:not([type=hidden]):not([aria-label]), select, textarea")
          .forEach(function (field) {
            if (!field.labels || field.labels.length === 0) {
              field.setAttribute(
                "aria-label",
                headers[index] + (name ? " — " + name.textContent.trim() : ""),
              );
            }
          });
      });
    });
  }
}

window.addEventListener("load", function () {
  if (window.django && window.django.jQuery) {
    window.django.jQuery(nameWhatTheAdminDrew);
  } else {
    nameWhatTheAdminDrew();
  }
});
