// Autosave on the update form (the htmx attributes are on the form; CSP allows no inline script).
// - Tells drafts.js (which keeps everything typed in this browser) when the server has it all.
// - Says in plain words what went wrong when an autosave fails, and how to carry on.
// - Does not autosave while the page shows a conflict for the person to resolve.
// - Keeps an autosave and a button press from racing: the button waits for the autosave's
//   answer, which carries the new version and section bases.
(function () {
  "use strict";
  const form = document.getElementById("update-form");
  if (!form) {
    return;
  }
  const status = document.getElementById("autosave-status");
  const maxBytes = parseInt(form.dataset.maxBytes || "0", 10);
  let saving = false;
  let submitting = false;
  let pending = false;
  let pendingSubmitter = null;
  let typed = 0; // bumped by every change, to tell whether a save covered the latest one
  let typedAtRequest = 0;

  function reloadLink() {
    return window.location.pathname + "?restore=1";
  }

  function say(message, link) {
    status.textContent = "";
    const span = document.createElement("span");
    span.className = "app-autosave-problem";
    span.textContent = message;
    if (link) {
      span.appendChild(document.createTextNode(" "));
      const a = document.createElement("a");
      a.href = link.href;
      a.textContent = link.text;
      span.appendChild(a);
      if (link.after) {
        span.appendChild(document.createTextNode(link.after));
      }
    }
    status.appendChild(span);
  }

  function keep() {
    window.portalDrafts.keep(form);
  }

  function forget() {
    window.portalDrafts.forget(form);
  }

  function bodySize() {
    return new URLSearchParams(new FormData(form)).toString().length;
  }

  function tooLarge() {
    return maxBytes > 0 && bodySize() > maxBytes * 0.95;
  }

  const TOO_LARGE = "Not saved: what is on this page is too long to save in one go. " +
    "Your text is kept in this browser. Shorten the longest sections (a pasted table or " +
    "document is often the cause), then choose Save draft.";

  // drafts.js keeps what is typed; this counts it, to tell whether a save covered it all.
  function onChange() {
    typed += 1;
  }
  form.addEventListener("input", onChange);
  form.addEventListener("change", onChange);

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt !== form) {
      return;
    }
    if (submitting || form.dataset.conflictsOpen === "true") {
      event.preventDefault(); // being saved by its buttons, or waiting for a choice
      return;
    }
    if (tooLarge()) {
      event.preventDefault();
      say(TOO_LARGE);
      return;
    }
    keep();
    typedAtRequest = typed;
    saving = true;
  });

  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt !== form) {
      return;
    }
    saving = false;
    const xhr = event.detail.xhr;
    if (event.detail.successful && xhr && xhr.status === 200) {
      const text = xhr.responseText || "";
      if (text.indexOf('data-conflict="true"') !== -1) {
        // A section was changed by someone else too: stop until the person has compared.
        form.dataset.conflictsOpen = "true";
      } else if (text.indexOf('id="id_version"') !== -1 && typed === typedAtRequest) {
        forget(); // the server has everything this browser kept
      }
      const version = document.getElementById("id_version");
      if (version) {
        form.dataset.version = version.value;
      }
    }
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
      say("Not saved: this page has expired, for example because you signed in again in another tab. Your text is kept in this browser.",
        { href: reloadLink(), text: "Reload the page", after: " and it will be put back." });
    } else if (code === 400 || code === 413) {
      say(TOO_LARGE);
    } else if (code === 409) {
      say("Not saved: the update changed while you were typing. Your text is kept in this browser.",
        { href: reloadLink(), text: "Reload the page", after: " to see why; your text will be put back." });
    } else {
      say("Not saved: the portal had a problem (" + code + "). Your text is kept in this browser; choose Save draft in a minute to try again.");
    }
  });

  document.body.addEventListener("htmx:sendError", function (event) {
    if (event.detail.elt === form) {
      say("Not saved: you seem to be offline. Your text is kept in this browser; choose Save draft when you are connected again.");
    }
  });

  form.addEventListener("submit", function (event) {
    if (tooLarge()) {
      event.preventDefault();
      keep();
      say(TOO_LARGE);
      status.scrollIntoView({ block: "center" });
      return;
    }
    if (saving) {
      // Wait for the autosave to finish: its answer carries the new version.
      event.preventDefault();
      pending = true;
      pendingSubmitter = event.submitter || null;
      return;
    }
    submitting = true; // drafts.js keeps the text until the answer page says ?saved=N
  });
})();
