// Puts back text this browser kept for an update form (see autosave.js, which keeps it).
// Runs before the rich-text editors start (it is a deferred script placed before them), so
// restored text is what the editors open with. Nothing typed is lost: after a failed save,
// an expired session or a crash, the kept text is offered back, or put back at once when the
// page is opened with ?restore=1 (signing in again from the edit page comes back that way).
(function () {
  "use strict";
  const holder = document.querySelector("[data-draft-key]");
  if (!holder) {
    return;
  }
  const key = "portal-draft:" + holder.dataset.draftKey;
  const params = new URLSearchParams(window.location.search);

  function read() {
    try {
      return JSON.parse(window.localStorage.getItem(key) || "null");
    } catch (error) {
      return null;
    }
  }

  function forget() {
    try {
      window.localStorage.removeItem(key);
    } catch (error) {
      // Storage refused: nothing was kept.
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
    forget();
    dropParams(["saved"]);
    return;
  }
  const form = holder.tagName === "FORM" ? holder : null;
  const draft = read();
  if (!form || !draft || !Array.isArray(draft.fields)) {
    return;
  }

  const SKIP = new Set(["csrfmiddlewaretoken"]);

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
  message.textContent = "This browser kept changes to this update that were not saved" +
    (at ? " (last typed at " + at + ")" : "") + ". Put them back to carry on from where you were.";
  banner.hidden = false;
  document.getElementById("draft-restore-button").addEventListener("click", function () {
    // Reload so the editors open with the kept text.
    window.sessionStorage.setItem(key + ":restore", "1");
    window.location.reload();
  });
  document.getElementById("draft-discard-button").addEventListener("click", function () {
    forget();
    banner.hidden = true;
  });
})();
