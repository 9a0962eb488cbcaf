// Give each rich-text editor the accessible name and description of the field it replaces.
// django-prose-editor hides the <textarea> and edits in a contenteditable element, which
// would otherwise be announced without its label, hint or error (WCAG 4.1.2).
function labelEditor(editable) {
  const wrapper = editable.closest(".prose-editor");
  const textarea = wrapper && wrapper.querySelector("textarea");
  if (!textarea || !textarea.id) return;
  const label = document.querySelector(`label[for="${textarea.id}"]`);
  if (label) {
    if (!label.id) label.id = `${textarea.id}-label`;
    editable.setAttribute("aria-labelledby", label.id);
  }
  const describedBy = textarea.getAttribute("aria-describedby");
  if (describedBy) editable.setAttribute("aria-describedby", describedBy);
  editable.setAttribute("role", "textbox");
  editable.setAttribute("aria-multiline", "true");
  // Clicking the label moves focus into the editor, as it would for a textarea.
  if (label && !label.dataset.editorFocus) {
    label.dataset.editorFocus = "1";
    label.addEventListener("click", () => editable.focus());
  }
}

function labelAll(root) {
  root.querySelectorAll('.prose-editor [contenteditable="true"]').forEach(labelEditor);
}

labelAll(document);
new MutationObserver(() => labelAll(document)).observe(document.body, {
  childList: true,
  subtree: true,
});
