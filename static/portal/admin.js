// Names for the parts of Django's admin widgets that it leaves unnamed (issue 14: WCAG 2.2 AA,
// 1.3.1 and 4.1.2), taken from each field's own label. Loaded by templates/admin/base_site.html.
//
// - Autocomplete boxes (select2, for autocomplete_fields): the box is a combobox named by its
//   field's label and the choice shown; its search box, inline for a many-choice box and in the
//   list that opens for a single-choice box, is named by the label too. A many-choice box's
//   outer wrapper is not a combobox (it never takes focus: its search box does).
// - The search boxes of a two-list chooser (filter_horizontal) have an icon with a label, which
//   is an image.
// - A read-only inline table that scrolls inside its own box at 320 px can be focused, so a
//   keyboard can scroll it.
//
// select2 draws its boxes after the page loads and redraws them at every choice, so this runs
// whenever the page changes (a MutationObserver).
(function () {
  "use strict";

  let made = 0;

  function idOf(element, stem) {
    if (!element.id) {
      made += 1;
      element.id = `${stem}-name-${made}`;
    }
    return element.id;
  }

  // The element that names a form control: its <label>, else (a field in a tabular inline,
  // named by aria-label on the server) a hidden copy of that name.
  function nameElement(control) {
    const label = control.id && document.querySelector(`label[for="${CSS.escape(control.id)}"]`);
    if (label) return label;
    const existing = document.getElementById(`${control.id}-name`);
    if (existing) return existing;
    const name = document.createElement("span");
    name.id = `${control.id}-name`;
    name.hidden = true;
    name.textContent = control.getAttribute("aria-label") || control.name;
    control.after(name);
    return name;
  }

  function nameText(control) {
    return nameElement(control).textContent.replace(/:\s*$/, "").trim();
  }

  function nameAutocomplete(container) {
    const select = container.previousElementSibling;
    if (!select || select.tagName !== "SELECT" || !select.id) return;
    const selection = container.querySelector(".select2-selection");
    if (!selection) return;
    const label = idOf(nameElement(select), select.id);
    if (selection.classList.contains("select2-selection--multiple")) {
      for (const attribute of ["role", "aria-haspopup", "aria-expanded"]) {
        selection.removeAttribute(attribute);
      }
      const list = selection.querySelector(".select2-selection__rendered");
      if (list) list.setAttribute("aria-label", `${nameText(select)}: chosen`);
    } else {
      const shown = selection.querySelector(".select2-selection__rendered");
      // The choice shown is part of the combobox's name, not a text box of its own.
      if (shown) {
        shown.removeAttribute("role");
        shown.removeAttribute("aria-readonly");
      }
      selection.setAttribute("aria-labelledby", shown ? `${label} ${idOf(shown, select.id)}` : label);
      const results = selection.getAttribute("aria-owns") || `select2-${select.id}-results`;
      selection.setAttribute("aria-controls", results);
    }
    for (const field of container.querySelectorAll(".select2-search__field")) {
      field.setAttribute("aria-label", `Search for ${nameText(select).toLowerCase()}`);
    }
  }

  // A single-choice box's search box is in the list that opens at the end of the page.
  function nameOpenSearch(field) {
    const results = field.getAttribute("aria-controls") || "";
    const match = /^select2-(.+)-results$/.exec(results);
    const select = match && document.getElementById(match[1]);
    if (select) field.setAttribute("aria-label", `Search for ${nameText(select).toLowerCase()}`);
  }

  function focusableInside(element) {
    return element.querySelector("a[href], button, input:not([type=hidden]), select, textarea, [tabindex]");
  }

  function nameAll() {
    document.querySelectorAll(".select2-container").forEach(nameAutocomplete);
    document
      .querySelectorAll(".select2-dropdown .select2-search__field:not([aria-label])")
      .forEach(nameOpenSearch);
    document.querySelectorAll(".help-tooltip[aria-label]:not([role])").forEach((icon) => {
      icon.setAttribute("role", "img");
    });
    document.querySelectorAll(".inline-group:not([tabindex])").forEach((group) => {
      if (focusableInside(group)) return;
      const heading = group.querySelector("h2");
      group.setAttribute("tabindex", "0");
      group.setAttribute("role", "region");
      if (heading) group.setAttribute("aria-labelledby", idOf(heading, group.id || "inline"));
    });
  }

  nameAll();
  let queued = false;
  new MutationObserver(() => {
    if (queued) return;
    queued = true;
    queueMicrotask(() => {
      queued = false;
      nameAll();
    });
  }).observe(document.body, { childList: true, subtree: true });
})();
