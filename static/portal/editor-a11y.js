// Keyboard and screen-reader use of the rich-text editors (django-prose-editor, ics_portal/
// richtext.py). The editor replaces a <textarea> with a toolbar and a contenteditable area;
// this module makes them behave as one form field (issue 14, "Editor keyboard use"):
// - the editing area has the accessible name and description of the field it replaces
//   (WCAG 4.1.2), and a hint saying which keys it uses;
// - the toolbar follows the WAI-ARIA toolbar pattern: role="toolbar" named after the field,
//   ONE Tab stop (roving tabindex: the button last used keeps tabindex=0), Left/Right arrow,
//   Home and End move between its buttons, Escape goes back to the text; toggle buttons say
//   whether they are on (aria-pressed) and unavailable ones say so (aria-disabled);
// - Tab and Shift+Tab always leave the editing area: the editor never sees them, so they
//   neither indent a list item nor move between table cells (WCAG 2.1.2). A list item is
//   indented with Alt+Shift+Right arrow (or Ctrl+]) and moved back with Alt+Shift+Left arrow
//   (or Ctrl+[); each move is announced through a polite live region.

const BUTTON_NAMES = {
  bulletList: "Bulleted list",
  orderedList: "Numbered list",
  bold: "Bold",
  italic: "Italic",
  underline: "Underline",
  superscript: "Superscript",
  link: "Link",
  unlink: "Remove link",
  table: "Insert table",
  "history:undo": "Undo",
  "history:redo": "Redo",
};
const SHORTCUTS = {
  bold: "Ctrl+B",
  italic: "Ctrl+I",
  underline: "Ctrl+U",
  link: "Ctrl+K",
  "history:undo": "Ctrl+Z",
  "history:redo": "Ctrl+Shift+Z",
};
// Buttons that turn a format on and off: the mark or node each one toggles.
const TOGGLES = {
  bold: "bold",
  italic: "italic",
  underline: "underline",
  superscript: "superscript",
  bulletList: "bulletList",
  orderedList: "orderedList",
};
const KEYS_HINT =
  "Tab moves on to the next question. In a list, Alt + Shift + Right arrow indents an item " +
  "and Alt + Shift + Left arrow moves it back.";

function fieldParts(editable) {
  const wrapper = editable.closest(".prose-editor");
  const textarea = wrapper && wrapper.querySelector("textarea");
  if (!textarea || !textarea.id) return null;
  const label = document.querySelector(`label[for="${textarea.id}"]`);
  return { wrapper, textarea, label };
}

// Give the editing area the accessible name and description of the field it replaces.
function labelEditor(editable) {
  const parts = fieldParts(editable);
  if (!parts) return;
  const { textarea, label } = parts;
  if (!editable.id) editable.id = `${textarea.id}-editor`;
  if (label) {
    if (!label.id) label.id = `${textarea.id}-label`;
    editable.setAttribute("aria-labelledby", label.id);
  }
  const hint = keysHint(parts);
  const describedBy = [textarea.getAttribute("aria-describedby"), hint.id].filter(Boolean);
  editable.setAttribute("aria-describedby", describedBy.join(" "));
  editable.setAttribute("role", "textbox");
  editable.setAttribute("aria-multiline", "true");
  // Clicking the label moves focus into the editor, as it would for a textarea.
  if (label && !label.dataset.editorFocus) {
    label.dataset.editorFocus = "1";
    label.addEventListener("click", () => editable.focus());
  }
}

// The hint saying which keys the editor uses, before the editor, made only when the editor
// has started (without it the plain textarea needs no such hint).
function keysHint({ wrapper, textarea }) {
  const id = `${textarea.id}-keys`;
  let hint = document.getElementById(id);
  if (!hint) {
    hint = document.createElement("div");
    hint.id = id;
    hint.className = "nhsuk-hint app-editor-keys";
    hint.textContent = KEYS_HINT;
    wrapper.before(hint);
  }
  return hint;
}

function fieldName(label) {
  if (!label) return "the text";
  return label.textContent.replace(/\s*\(optional\)\s*$/, "").replace(/\s+/g, " ").trim();
}

function toolbarButtons(toolbar) {
  return [...toolbar.querySelectorAll("button")].filter(
    (button) =>
      !button.closest(".prose-menubar__picker") &&
      !button.classList.contains("hidden") &&
      button.getClientRects().length > 0,
  );
}

function makeCurrent(toolbar, current) {
  for (const button of toolbar.querySelectorAll("button")) {
    button.tabIndex = button === current ? 0 : -1;
  }
}

// Keep the toolbar's state in step with the editor: one Tab stop on a visible button,
// pressed and unavailable states said in ARIA.
function syncToolbar(toolbar, editor) {
  for (const button of toolbar.querySelectorAll("button[data-name]")) {
    const name = button.dataset.name;
    if (name in TOGGLES) {
      const pressed = editor.isActive(TOGGLES[name]);
      button.setAttribute("aria-pressed", String(pressed));
      button.classList.toggle("active", pressed);
    }
    if (button.classList.contains("disabled")) button.setAttribute("aria-disabled", "true");
    else button.removeAttribute("aria-disabled");
  }
  const visible = toolbarButtons(toolbar);
  const current = visible.find((button) => button.tabIndex === 0);
  if (!current && visible.length) makeCurrent(toolbar, visible[0]);
}

function nameButtons(toolbar) {
  for (const button of toolbar.querySelectorAll("button[data-name]")) {
    const name = BUTTON_NAMES[button.dataset.name];
    if (name) button.setAttribute("aria-label", name);
    const label = button.getAttribute("aria-label");
    const shortcut = SHORTCUTS[button.dataset.name];
    if (label) button.title = shortcut ? `${label} (${shortcut})` : label;
  }
}

function setUpToolbar(toolbar, editable, editor, name) {
  toolbar.setAttribute("role", "toolbar");
  toolbar.setAttribute("aria-label", `Formatting for ${name}`);
  toolbar.setAttribute("aria-controls", editable.id);
  nameButtons(toolbar);
  makeCurrent(toolbar, toolbarButtons(toolbar)[0]);
  syncToolbar(toolbar, editor);
  editor.on("transaction", () => syncToolbar(toolbar, editor));

  toolbar.addEventListener("focusin", (event) => {
    if (event.target.matches("button")) makeCurrent(toolbar, event.target);
  });
  toolbar.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const buttons = toolbarButtons(toolbar);
    const index = buttons.indexOf(document.activeElement);
    if (index < 0) return;
    const last = buttons.length - 1;
    const target = {
      ArrowRight: index === last ? 0 : index + 1,
      ArrowLeft: index === 0 ? last : index - 1,
      Home: 0,
      End: last,
    }[event.key];
    if (target !== undefined) {
      event.preventDefault();
      makeCurrent(toolbar, buttons[target]);
      buttons[target].focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      editor.view.focus();
    }
  });
}

function listDepth(editor) {
  const { $from } = editor.state.selection;
  let depth = 0;
  for (let d = $from.depth; d > 0; d--) {
    if ($from.node(d).type.name === "listItem") depth++;
  }
  return depth;
}

function announce(region, message) {
  // Emptied first so the same message said twice is announced twice.
  region.textContent = "";
  window.setTimeout(() => {
    region.textContent = message;
  }, 50);
}

// Indent (deeper=true) or move back the list item at the cursor, and say what happened.
function moveListItem(editor, region, deeper) {
  const before = listDepth(editor);
  if (!before) {
    announce(region, "Not in a list: only list items can be indented.");
    return;
  }
  const moved = deeper
    ? editor.chain().focus().sinkListItem("listItem").run()
    : editor.chain().focus().liftListItem("listItem").run();
  const after = listDepth(editor);
  if (!moved) {
    announce(
      region,
      deeper
        ? `Not indented: the first item in a list cannot be indented. List level ${before}.`
        : `Not moved. List level ${before}.`,
    );
  } else if (after === 0) {
    announce(region, "Moved out of the list.");
  } else {
    announce(region, `${deeper ? "Indented" : "Moved back"}: list level ${after}.`);
  }
}

function indentDirection(event) {
  if (event.metaKey) return null;
  if (event.altKey && event.shiftKey && !event.ctrlKey) {
    if (event.key === "ArrowRight") return "in";
    if (event.key === "ArrowLeft") return "out";
  }
  if (event.ctrlKey && !event.altKey && !event.shiftKey) {
    if (event.key === "]") return "in";
    if (event.key === "[") return "out";
  }
  return null;
}

function setUpKeys(wrapper, editable, editor) {
  const region = document.createElement("div");
  region.className = "nhsuk-u-visually-hidden app-editor-announcer";
  region.setAttribute("role", "status");
  region.setAttribute("aria-live", "polite");
  wrapper.append(region);

  // Tab: the capture phase on the wrapper runs before the editor's own handlers on the
  // editing area, so stopping the event here keeps it from the editor (no indenting, no
  // moving between table cells) while the browser still moves focus, as it does for a field.
  wrapper.addEventListener(
    "keydown",
    (event) => {
      if (!editable.contains(event.target)) return;
      if (event.key === "Tab" && !event.ctrlKey && !event.altKey && !event.metaKey) {
        event.stopPropagation();
      }
    },
    true,
  );

  // The other keys through the editor's own key handling, first in line, so that the
  // selection they act on is the one the browser shows. The editor exports no Plugin class
  // to a plain script; every plugin it runs is an instance of it.
  const Plugin = editor.state.plugins[0].constructor;
  const keys = new Plugin({
    props: {
      handleKeyDown(view, event) {
        const direction = indentDirection(event);
        if (direction) {
          // A caret move the browser has just made (Ctrl+Home, a click) reaches the editor
          // on the next selectionchange event; read it now, or the wrong item would move.
          view.domObserver?.flush?.();
          moveListItem(editor, region, direction === "in");
          return true;
        }
        if (event.key === "F10" && event.altKey) {
          // Alt+F10 goes to the toolbar, as in other editors (TinyMCE, CKEditor).
          const current = wrapper.querySelector('[role="toolbar"] button[tabindex="0"]');
          if (current) current.focus();
          return Boolean(current);
        }
        return false;
      },
    },
  });
  editor.registerPlugin(keys, (plugin, plugins) => [plugin, ...plugins]);
}

function setUpEditor(wrapper) {
  if (wrapper.dataset.keyboard) return;
  const editable = wrapper.querySelector('[contenteditable="true"]');
  const toolbar = wrapper.querySelector(".prose-menubar");
  // The toolbar is built just after the editor starts; come back when it is there.
  if (!editable || !toolbar || !editable.editor) return;
  const parts = fieldParts(editable);
  if (!parts) return;
  wrapper.dataset.keyboard = "1";
  labelEditor(editable);
  setUpToolbar(toolbar, editable, editable.editor, fieldName(parts.label));
  setUpKeys(wrapper, editable, editable.editor);
}

function setUpAll(root) {
  root.querySelectorAll('.prose-editor [contenteditable="true"]').forEach(labelEditor);
  root.querySelectorAll(".prose-editor").forEach(setUpEditor);
}

setUpAll(document);
new MutationObserver(() => setUpAll(document)).observe(document.body, {
  childList: true,
  subtree: true,
});
