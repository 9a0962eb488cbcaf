from django import forms

from ics_portal.forms import NamedErrorsMixin
from ics_portal.models import ReportingCycle

from .importers import IMPORT_ORDER
from .resources import RESOURCES
from .safety import MAX_ROWS


class ImportForm(NamedErrorsMixin, forms.Form):
    kind = forms.ChoiceField(
        label="What is in the file?",
        choices=[(kind, RESOURCES[kind].label) for kind in IMPORT_ORDER],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what is in the file"},
    )
    file = forms.FileField(
        label="Upload a file",
        help_text=f"An Excel workbook (.xlsx) or a CSV file, smaller than 10 MB and of at most "
        f"{MAX_ROWS:,} rows (only the first sheet of a workbook is read). You will see what it "
        "changes before anything is imported.",
        error_messages={
            "required": "Choose a file to upload",
            "empty": "The file is empty",
            "invalid": "Choose a file to upload",
        },
    )


class CycleForm(NamedErrorsMixin, forms.Form):
    cycle = forms.ModelChoiceField(
        label="Reporting cycle",
        queryset=ReportingCycle.objects.all(),
        empty_label=None,
        error_messages={"invalid_choice": "Choose a reporting cycle"},
    )
