"""The search page's filters: by quarter, theme, status and kind. Bad input is a message on the
form (the search still runs with the filters that are valid)."""

from django import forms
from django.db.models import Q

from ics_portal.forms import NamedErrorsMixin
from ics_portal.search_sources import search_sources
from ics_portal.status import DeliveryStatus

from .models import SearchDocument


class SearchFilterForm(NamedErrorsMixin, forms.Form):
    """The filters beside the words (the words, `q`, are read by search_query.search_terms,
    which takes anything)."""

    quarter = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Choose a quarter from the list"},
    )
    theme = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Choose a theme from the list"},
    )
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any status"), *DeliveryStatus.choices],
        error_messages={"invalid_choice": "Choose a status from the list"},
    )
    kind = forms.ChoiceField(
        label="Kind",
        required=False,
        error_messages={"invalid_choice": "Choose a kind of text from the list"},
    )

    def __init__(self, *args, cycles, themes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = [("", "Any quarter")] + [
            (cycle.pk, cycle.label) for cycle in cycles
        ]
        self.fields["theme"].choices = [("", "Any theme")] + [
            (theme.pk, theme.name) for theme in themes
        ]
        self.fields["kind"].choices = [("", "Anything")] + [
            (source.kind, source.label) for source in search_sources()
        ]

    def filters(self) -> Q:
        """The valid filters, as a condition on SearchDocument (empty on an unbound form). A
        theme finds what belongs to it (SearchDocument.in_theme): a BAF risk under each of its
        strategic themes, a golden thread's updates under its workstreams' themes."""
        if not self.is_bound:
            return Q()
        self.is_valid()
        data = self.cleaned_data
        lookups = {
            "cycle_id": data.get("quarter"),
            "status": data.get("status"),
            "kind": data.get("kind"),
        }
        condition = Q(**{name: value for name, value in lookups.items() if value})
        if data.get("theme"):
            condition &= SearchDocument.in_theme(data["theme"])
        return condition
