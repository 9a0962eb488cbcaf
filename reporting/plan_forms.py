"""The plan pages' one form: two quarters of a workstream or golden thread to compare."""

from django import forms

from ics_portal.models import ReportingCycle


class CompareForm(forms.Form):
    """Two quarters to compare, chosen from those with an approved update."""

    before = forms.TypedChoiceField(
        label="From",
        coerce=int,
        error_messages={"required": "Choose the quarter to compare from."},
    )
    after = forms.TypedChoiceField(
        label="To",
        coerce=int,
        error_messages={"required": "Choose the quarter to compare with it."},
    )

    def __init__(self, data, *, cycles: list[ReportingCycle]):
        super().__init__(data)
        choices = [(c.pk, c.label) for c in cycles]
        for name in ("before", "after"):
            self.fields[name].choices = choices
            self.fields[name].error_messages["invalid_choice"] = (
                "Choose a quarter from the list: only quarters with an approved update can be "
                "compared."
            )
        if len(cycles) >= 2:
            self.fields["before"].initial = cycles[-2].pk
            self.fields["after"].initial = cycles[-1].pk

    def clean(self):
        data = super().clean()
        if data.get("before") is not None and data.get("before") == data.get("after"):
            raise forms.ValidationError("Choose two different quarters to compare.")
        return data
