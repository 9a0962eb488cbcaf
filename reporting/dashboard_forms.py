"""The dashboards' GET forms. Their choices come from data already loaded for the page, so
they cost no query of their own; a value that is not one of them is an error naming the
field (shown in the error summary), and the other filters still apply."""

from django import forms

from ics_portal.forms import NamedErrorsMixin

from .dashboards import DEFAULT_SPAN, SPANS, TrendChoices


class _OwnParameters:
    """Only the form's own parameters are read: another in the address is not an error."""

    def __init__(self, data, **kwargs):
        if data is not None:
            data = {name: data[name] for name in self.base_fields if name in data}
        super().__init__(data, **kwargs)

    def chosen(self) -> dict[str, str]:
        """The valid values (an invalid one is left out, so it does not apply)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


class OverviewForm(_OwnParameters, NamedErrorsMixin, forms.Form):
    """Which quarter the plan overview shows."""

    cycle = forms.ChoiceField(
        label="Quarter",
        required=False,
        error_messages={"invalid_choice": "Select a quarter from the list"},
    )

    def __init__(self, data, *, cycles):
        super().__init__(data)
        self.fields["cycle"].choices = [(str(c.pk), c.label) for c in reversed(cycles)]


class TrendFilterForm(_OwnParameters, NamedErrorsMixin, forms.Form):
    """The trend grid's filters."""

    theme = forms.ChoiceField(
        required=False, error_messages={"invalid_choice": "Select a theme from the list"}
    )
    thread = forms.ChoiceField(
        label="Golden thread",
        required=False,
        error_messages={"invalid_choice": "Select a golden thread from the list"},
    )
    lead = forms.ChoiceField(
        required=False, error_messages={"invalid_choice": "Select a lead from the list"}
    )
    organisation = forms.ChoiceField(
        label="Lead's organisation",
        required=False,
        error_messages={"invalid_choice": "Select an organisation from the list"},
    )
    span = forms.ChoiceField(
        label="Quarters",
        required=False,
        choices=list(SPANS.items()),
        error_messages={"invalid_choice": "Select how many quarters to show from the list"},
    )

    def __init__(self, data, *, choices: TrendChoices):
        super().__init__(data)
        self.fields["theme"].choices = [("", "Any theme"), *choices.themes]
        self.fields["thread"].choices = [("", "Any golden thread"), *choices.threads]
        self.fields["lead"].choices = [("", "Anyone"), *choices.leads]
        self.fields["organisation"].choices = [("", "Any organisation"), *choices.organisations]
        self.fields["span"].initial = DEFAULT_SPAN

    def filters(self) -> dict:
        """Keyword arguments for dashboards.trend_grid."""
        chosen = self.chosen()
        return {
            "theme": chosen.get("theme"),
            "thread": chosen.get("thread"),
            "lead": chosen.get("lead"),
            "organisation": chosen.get("organisation"),
            "span": chosen.get("span") or DEFAULT_SPAN,
        }
