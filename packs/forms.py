from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone

from ics_portal.date_input import DateInputField, DateTimeInputField
from ics_portal.forms import NamedErrorsMixin
from ics_portal.models import ReportingCycle

from .models import BoardPack


def default_embargo(meeting_date):
    """Papers go online a week before the meeting (the seed board papers: 'available online a
    week beforehand'), at 9am."""
    return timezone.make_aware(datetime.combine(meeting_date - timedelta(days=7), time(9, 0)))


class BoardPackForm(NamedErrorsMixin, forms.ModelForm):
    # The others are worded from their labels ("Enter the lead", ics_portal.forms).
    required_messages = {
        "meeting": "Enter the name of the meeting",
        "date_of_meeting": "Enter the date of the meeting",
        "sections": "Select at least one section to include",
        "visibility": "Select who can read the pack",
    }
    cycle = forms.ModelChoiceField(
        queryset=ReportingCycle.objects.all(), label="Reporting cycle", empty_label=None
    )
    sections = forms.MultipleChoiceField(
        choices=BoardPack.Section.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Sections to include",
        help_text="They appear in this order after the cover sheet and contents.",
    )
    date_of_meeting = DateInputField(label="Date of meeting")
    embargo_until = DateTimeInputField(
        required=False,
        label="Public from",
        help_text="For a public pack: when it becomes readable without signing in. Leave it "
        "blank for 9am seven days before the meeting, or the time blank for 9am.",
    )

    class Meta:
        model = BoardPack
        fields = [
            "cycle",
            "title",
            "meeting",
            "date_of_meeting",
            "agenda_item",
            "lead",
            "author",
            "purpose",
            "presented_before",
            "purpose_of_paper",
            "recommendation",
            "sections",
            "exception_only",
            "visibility",
            "embargo_until",
        ]
        widgets = {
            "purpose": forms.RadioSelect,
            "visibility": forms.RadioSelect,
            "presented_before": forms.Textarea(attrs={"rows": 3}),
            "purpose_of_paper": forms.Textarea(attrs={"rows": 4}),
            "recommendation": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # Radios need no "---------" choice: the purpose is required.
        self.fields["purpose"].choices = BoardPack.Purpose.choices
        if editing:
            # A pack stays with its cycle; make another pack for another quarter.
            del self.fields["cycle"]

    def clean_sections(self):
        chosen = set(self.cleaned_data["sections"])
        return [value for value, _ in BoardPack.Section.choices if value in chosen]

    def clean(self):
        data = super().clean()
        public = data.get("visibility") == BoardPack.Visibility.PUBLIC
        if public and not data.get("embargo_until") and data.get("date_of_meeting"):
            data["embargo_until"] = default_embargo(data["date_of_meeting"])
        return data


class WithdrawForm(NamedErrorsMixin, forms.Form):
    reason = forms.CharField(
        label="Why is this pack being withdrawn?",
        help_text="Readers of the pack's page see this reason.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the reason for withdrawing the pack"},
    )
