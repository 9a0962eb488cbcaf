// Autosave on the update form (the htmx attributes are on the form; CSP allows no inline script).
// It makes a failed autosave visible, and keeps an autosave and a button press from racing:
// both post the same version, so the second would be refused as stale.
(function () {
  "use strict";
  const form = document.getElementById("update-form");
  if (!form) {
    return;
  }
  const status = document.getElementById("autosave-status");
  let saving = false;
  let submitting = false;
  let pending = false;
  let pendingSubmitter = null;

  function say(message) {
    status.textContent = "";
    const span = document.createElement("span");
    span.className = "app-autosave-problem";
    span.textContent = message;
    status.appendChild(span);
  }

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt !== form) {
      return;
    }
    if (submitting) {
      event.preventDefault(); // the page is being saved by its buttons
      return;
    }
    saving = true;
  });

  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt !== form) {
      return;
    }
    saving = false;
    if (pending) {
      pending = false;
      form.requestSubmit(pendingSubmitter || undefined);
    }
  });

  document.body.addEventListener("htmx:responseError", function (event) {
    if (event.detail.elt !== form) {
      return;
    }
    const code = event.detail.xhr.status;
    if (code === 403) {
      say("Not saved: your session may have expired or this page is out of date. Your text is still here: copy anything new, then reload the page.");
    } else {
      say("Not saved: the portal did not answer (" + code + "). Your text is still here; choose Save draft to try again.");
    }
  });

  document.body.addEventListener("htmx:sendError", function (event) {
    if (event.detail.elt === form) {
      say("Not saved: you seem to be offline. Your text is still here; choose Save draft when you are connected again.");
    }
  });

  form.addEventListener("submit", function (event) {
    if (saving) {
      // Wait for the autosave to finish: its answer carries the new version.
      event.preventDefault();
      pending = true;
      pendingSubmitter = event.submitter || null;
      return;
    }
    submitting = true;
  });
})();
