"""The audit page's filters (and its export's): person, action, object, dates. Bad input is
a message on the form, never a server error."""

from django import forms

from ics_portal.forms import NamedErrorsMixin

from .audit import VERB_LABELS
from .audit_presenters import AuditFilters, object_type_choices
from .date_input import DateInputField


class DateFilterField(DateInputField):
    """A day the trail starts or ends on, typed as day, month and year."""

    def __init__(self, label: str):
        super().__init__(label=f"{label} date", required=False)


class AuditFilterForm(NamedErrorsMixin, forms.Form):
    person = forms.CharField(
        required=False, max_length=300, help_text="Part of their name or email address"
    )
    action = forms.ChoiceField(required=False)
    object_type = forms.ChoiceField(label="Kind of object", required=False)
    object = forms.CharField(
        label="Object", required=False, max_length=300, help_text="Part of its name, or its id"
    )
    date_from = DateFilterField("From")
    date_to = DateFilterField("To")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        actions = sorted(((str(v), label) for v, label in VERB_LABELS.items()), key=lambda c: c[1])
        self.fields["action"].choices = [("", "Any action"), *actions]
        self.fields["object_type"].choices = [("", "Any kind"), *object_type_choices()]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The to date must be the same as or after the from date")
        return cleaned

    def filters(self) -> AuditFilters:
        """The filters that are valid (all of them on a form without errors); an unbound
        form: none."""
        if not self.is_bound:
            return AuditFilters()
        self.is_valid()
        data = self.cleaned_data
        return AuditFilters(
            person=data.get("person", "").strip(),
            action=data.get("action", ""),
            object_type=data.get("object_type", ""),
            object=data.get("object", "").strip(),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
