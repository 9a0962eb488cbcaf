// Starts the NHS.UK frontend components. Loaded as a module after the page.
import { initAll } from "../vendor/nhsuk/nhsuk-frontend.min.js";

initAll();

// A link from another page to a form box (the check page's "still to fill" list) lands in
// the box, ready to type, as the error summary's own links do on the same page.
const target = window.location.hash && document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
if (target && target.matches("input:not([type=hidden]), select, textarea") && target.offsetParent !== null) {
  target.focus();
}

// A list's filters fold away on a phone, so the list comes first; the summary says how many
// are applied and opens them. A wide screen shows them open (its summary is hidden), and so
// does a phone when a filter is wrong.
const phone = window.matchMedia("(max-width: 40.0525em)");
const folds = document.querySelectorAll("details[data-fold-on-phone]");
const fitFolds = () => {
  for (const fold of folds) fold.open = !phone.matches || fold.hasAttribute("data-has-errors");
};
fitFolds();
phone.addEventListener("change", fitFolds);
