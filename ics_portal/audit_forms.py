"""The audit page's filters (and its export's): person, action, object, dates. Bad input is
a message on the form, never a server error."""

import datetime

from django import forms

from .audit import VERB_LABELS
from .audit_presenters import AuditFilters, object_type_choices

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y"]
EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2999, 12, 31)


class DateFilterField(forms.DateField):
    def __init__(self, label: str):
        super().__init__(
            label=label,
            required=False,
            input_formats=DATE_FORMATS,
            help_text="For example, 31/3/2026",
            widget=forms.DateInput(format="%d/%m/%Y", attrs={"class": "nhsuk-input--width-10"}),
            error_messages={
                "invalid": f"Enter the {label.lower()} date as a real date, like 31/03/2026"
            },
        )

    def clean(self, value):
        day = super().clean(value)
        if day is not None and not EARLIEST <= day <= LATEST:
            raise forms.ValidationError(f"Enter a {self.label.lower()} date between 2000 and 2999")
        return day


class AuditFilterForm(forms.Form):
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
