// Starts the NHS.UK frontend components. Loaded as a module after the page.
import { initAll } from "../vendor/nhsuk/nhsuk-frontend.min.js";

initAll();
