// Nothing typed is lost (ADR 0005). A form with data-draft-key has everything on it kept in
// this browser (localStorage) as it is typed and when it is sent, until the server says it is
// saved: a page opened with ?saved=N after a successful save, or (on the update form) an
// autosave that covered the last keystroke (autosave.js calls window.portalDrafts).
// When a page with such a form opens and a kept draft differs from it (after a failed save,
// an expired session, a crash), the draft is offered back, or put back at once with
// ?restore=1 (the sign-in, "page expired" and "too large" pages lead back that way).
// A deferred script placed before the rich-text editors, so they open with restored text.
(function () {
  "use strict";
  const SKIP = new Set(["csrfmiddlewaretoken"]);

  function storageKey(element) {
    return "portal-draft:" + element.dataset.draftKey;
  }

  function keep(form) {
    // Everything on the form, with the version and section bases it was typed against.
    const fields = Array.from(new FormData(form).entries()).filter(function (pair) {
      return !SKIP.has(pair[0]) && typeof pair[1] === "string";
    });
    const names = Array.from(new Set(Array.from(form.elements).map(function (element) {
      return element.name;
    }).filter(Boolean)));
    try {
      window.localStorage.setItem(storageKey(form), JSON.stringify({
        keptAt: new Date().toISOString(),
        version: form.dataset.version || "",
        fields: fields,
        names: names,
      }));
    } catch (error) {
      // Storage full or refused: the page still holds the text.
    }
  }

  function forget(element) {
    try {
      window.localStorage.removeItem(storageKey(element));
    } catch (error) {
      // Nothing kept.
    }
  }

  window.portalDrafts = { keep: keep, forget: forget };

  // Keep every opted-in form as it is typed and when it is sent.
  document.querySelectorAll("form[data-draft-key]").forEach(function (form) {
    let timer = null;
    let typed = false;
    function later() {
      typed = true;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        keep(form);
      }, 300);
    }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    form.addEventListener("submit", function () {
      keep(form);
      // The page answering a successful save says ?saved, wherever it is: forget this then.
      window.sessionStorage.setItem("portal-draft-sent", storageKey(form));
    });
    window.addEventListener("pagehide", function () {
      if (typed) {
        keep(form);
      }
    });
  });

  const params = new URLSearchParams(window.location.search);
  if (params.has("saved")) {
    const sent = window.sessionStorage.getItem("portal-draft-sent");
    if (sent) {
      window.sessionStorage.removeItem("portal-draft-sent");
      try {
        window.localStorage.removeItem(sent);
      } catch (error) {
        // Nothing kept.
      }
    }
  }
  const holder = document.querySelector("[data-draft-key]");
  if (!holder) {
    return;
  }
  const key = storageKey(holder);

  function read() {
    try {
      return JSON.parse(window.localStorage.getItem(key) || "null");
    } catch (error) {
      return null;
    }
  }

  function dropParams(names) {
    names.forEach(function (name) {
      params.delete(name);
    });
    const query = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
  }

  // ?saved=N: the page the server answered a successful save with. What this browser kept
  // is on the server now.
  if (params.has("saved")) {
    forget(holder);
    dropParams(["saved"]);
    return;
  }
  const form = holder.tagName === "FORM" ? holder : null;
  const draft = read();
  if (!form || !draft || !Array.isArray(draft.fields)) {
    return;
  }

  function values(entries) {
    const map = new Map();
    entries.forEach(function (pair) {
      if (!SKIP.has(pair[0])) {
        if (!map.has(pair[0])) {
          map.set(pair[0], []);
        }
        map.get(pair[0]).push(String(pair[1]));
      }
    });
    return map;
  }

  function sameAsPage() {
    const kept = values(draft.fields);
    const shown = values(Array.from(new FormData(form).entries()));
    // What the person wrote, not the form's own bookkeeping (version, bases, conflict choices).
    const ignore = new Set(["version", "section_bases", "conflicts_open", "action"]);
    const names = new Set(Array.from(kept.keys()).concat(Array.from(shown.keys())));
    for (const name of names) {
      if (ignore.has(name) || name.startsWith("seen__") || name.startsWith("resolve__")) {
        continue;
      }
      if ((kept.get(name) || []).join("\u0000") !== (shown.get(name) || []).join("\u0000")) {
        return false;
      }
    }
    return true;
  }

  function apply() {
    const kept = values(draft.fields);
    const named = new Set(draft.names || Array.from(kept.keys()));
    Array.from(form.elements).forEach(function (element) {
      const name = element.name;
      if (!name || SKIP.has(name) || !named.has(name)) {
        return;
      }
      const wanted = kept.get(name) || [];
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = wanted.indexOf(element.value) !== -1;
      } else if (element.tagName === "SELECT" || element.tagName === "TEXTAREA" || element.tagName === "INPUT") {
        if (element.type !== "submit" && element.type !== "button" && wanted.length) {
          element.value = wanted[0];
        }
      }
    });
    form.dataset.restored = "true";
  }

  const banner = document.getElementById("draft-restore");
  const message = document.getElementById("draft-restore-message");
  const when = draft.keptAt ? new Date(draft.keptAt) : null;
  const at = when ? when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "";
  const restoreNow = params.has("restore") || window.sessionStorage.getItem(key + ":restore") === "1";
  window.sessionStorage.removeItem(key + ":restore");

  if (sameAsPage()) {
    dropParams(["restore"]);
    return;
  }
  if (restoreNow) {
    apply();
    dropParams(["restore"]);
    if (banner && message) {
      message.textContent = "We put back the changes this browser kept" + (at ? " from " + at : "") +
        ". They are not saved yet: check them, then choose Save draft.";
      banner.querySelectorAll("button").forEach(function (button) {
        button.hidden = true;
      });
      banner.hidden = false;
    }
    return;
  }
  if (!banner || !message) {
    return;
  }
  message.textContent = "This browser kept changes you made here that were not saved" +
    (at ? " (last typed at " + at + ")" : "") + ". Put them back to carry on from where you were.";
  banner.hidden = false;
  document.getElementById("draft-restore-button").addEventListener("click", function () {
    // Reload so the editors open with the kept text.
    window.sessionStorage.setItem(key + ":restore", "1");
    window.location.reload();
  });
  document.getElementById("draft-discard-button").addEventListener("click", function () {
    forget(holder);
    banner.hidden = true;
  });
})();
