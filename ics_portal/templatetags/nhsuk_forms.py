"""Helpers for the `nhsuk` crispy-forms template pack (templates/nhsuk/).

The pack's templates decide the markup; these helpers only say what kind of control a
field is and render its widget with the NHS.UK classes and the aria links to hint and error.
"""

from django import forms, template

from ics_portal.date_input import DATE_PARTS, DateInputWidget

register = template.Library()

# The date input's boxes, in characters: 2021 and 9:30am fit.
_BOX_WIDTHS = {"year": 4, "time": 5}
_INPUT_WIDTHS = {"date": "nhsuk-input--width-10", "number": "nhsuk-input--width-5"}


@register.filter
def nhsuk_kind(field) -> str:
    widget = field.field.widget
    if isinstance(widget, DateInputWidget):
        return "date"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    # CheckboxSelectMultiple is a subclass of RadioSelect, so it is tested first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.ClearableFileInput | forms.FileInput):
        return "file"
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    if isinstance(widget, forms.Textarea):
        # The rich-text editor's widget is a textarea the editor enhances.
        return "rich" if "prose" in type(widget).__name__.lower() else "textarea"
    return "input"


def _described_by(field) -> str:
    # A form may name other elements that describe a field (`described_by` on the form field),
    # such as a reviewer's "asked for changes here" note.
    extra = getattr(field.field, "described_by", "")
    ids = [extra] if extra else []
    if getattr(field.field, "carried_from", ""):
        ids.append(f"{field.auto_id}-carried")
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return " ".join(ids)


@register.simple_tag
def nhsuk_widget(field, css_class=""):
    """The field's widget with NHS.UK classes, error state and aria-describedby."""
    kind = nhsuk_kind(field)
    base = {
        "input": "nhsuk-input",
        "textarea": "nhsuk-textarea",
        "rich": "nhsuk-textarea",
        "select": "nhsuk-select",
        "file": "nhsuk-file-upload",
    }.get(kind, "")
    classes = [base] if base else []
    if field.errors and base:
        classes.append(f"{base}--error")
    input_type = getattr(field.field.widget, "input_type", "")
    if kind == "input" and input_type in _INPUT_WIDTHS and not css_class:
        classes.append(_INPUT_WIDTHS[input_type])
    if css_class:
        classes.append(css_class)
    existing = field.field.widget.attrs.get("class", "")
    attrs = {"class": " ".join(c for c in [existing, *classes] if c)}
    described = _described_by(field)
    if described:
        attrs["aria-describedby"] = described
    return field.as_widget(attrs=attrs)


@register.simple_tag
def nhsuk_choice_attrs(field):
    """aria-describedby for a fieldset of radios or checkboxes."""
    return _described_by(field)


@register.filter
def error_items(form):
    """(anchor, message) for the error summary: non-field errors first, then each field's."""
    items = [("", str(e)) for e in form.non_field_errors()]
    for field in form:
        for error in field.errors:
            anchor = field.auto_id
            kind = nhsuk_kind(field)
            if kind in ("radios", "checkboxes"):
                anchor = f"{field.auto_id}_0"
            elif kind == "date":
                anchor = f"{field.auto_id}_{date_parts_in_error(field)[0]}"
            items.append((anchor, str(error)))
    return items


def date_parts_in_error(field) -> list[str]:
    """The boxes of a date input to mark: those its errors name (DateInputField says which
    part is missing or wrong); all three for an error about the whole date (nothing typed,
    out of range, or a rule of the form's such as "after opening")."""
    boxes = field.field.widget.parts
    named = set()
    for error in field.errors.as_data():
        parts = error.params.get("parts") if isinstance(error.params, dict) else None
        if not parts:
            # An error about the whole date marks the date's boxes; the time may be right.
            return list(DATE_PARTS)
        named.update(parts)
    return [part for part in boxes if part in named]


@register.simple_tag
def nhsuk_date_input(field) -> dict:
    """What templates/nhsuk/date_input.html draws: the example for the hint, aria-describedby
    for the fieldset, and each box's id, name, value (as typed, or the stored date) and error
    state."""
    widget = field.field.widget
    value = field.value()
    if not isinstance(value, list | tuple):
        value = widget.decompress(value)
    wrong = date_parts_in_error(field) if field.errors else []
    boxes = []
    for part, suffix, typed in zip(widget.parts, widget.widgets_names, value, strict=True):
        boxes.append(
            {
                "part": part,
                "label": part.capitalize(),
                "id": f"{field.auto_id}{suffix}",
                "name": f"{field.html_name}{suffix}",
                "value": "" if typed is None else str(typed),
                "width": _BOX_WIDTHS.get(part, 2),
                "numeric": part in DATE_PARTS,
                "error": part in wrong,
            }
        )
    extra = getattr(field.field, "described_by", "")
    described = [extra] if extra else []
    described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
    return {"example": widget.example, "described_by": " ".join(described), "boxes": boxes}
