// Runs first in <body>: mark the page as having JavaScript so NHS.UK components enhance.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
