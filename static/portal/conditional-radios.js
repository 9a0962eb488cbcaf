// NHS.UK frontend's conditional reveal marks a radio with aria-expanded as its reveal opens
// and closes; ARIA does not allow aria-expanded on a radio (axe: aria-allowed-attr), and the
// revealed fields follow the radio in reading order anyway (as GOV.UK frontend now does).
// Take the attribute off whenever it is set. Loaded by the pages with a decision form.
const strip = (root) => {
  for (const radio of root.querySelectorAll('input[type="radio"][aria-expanded]')) {
    radio.removeAttribute("aria-expanded");
  }
};

strip(document);
new MutationObserver((changes) => {
  for (const change of changes) {
    if (change.target instanceof HTMLInputElement && change.target.type === "radio") {
      change.target.removeAttribute("aria-expanded");
    }
  }
}).observe(document.body, { attributes: true, attributeFilter: ["aria-expanded"], subtree: true });
