"""Forms of the BAF pages. They validate what people type; the changes themselves are made by
risks/actions.py. Scores and bands are never typed: only likelihood and consequence (1–5)."""

from django import forms

from ics_portal.date_input import DateInputField
from ics_portal.forms import NamedErrorsMixin
from ics_portal.models import User
from ics_portal.workflow.forms import DecisionMixin, default_until, not_in_the_past, until_field
from workstreams.models import Theme

from .actions import REVIEW_FIELDS, RISK_FIELDS
from .matrix import CONSEQUENCE_CHOICES, LIKELIHOOD_CHOICES
from .models import SCORE_BASES, BAFRisk, RiskReview
from .presenters import SORTS

_BLANK = [("", "Choose a level")]


def _level_field(label: str, choices, help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=_BLANK + choices,
        coerce=int,
        help_text=help_text,
        error_messages={"required": f"Select the {label.lower()}"},
    )


class RegisterFilterForm(NamedErrorsMixin, forms.Form):
    """The register's filters (a GET form). Invalid values are ignored, not shown as errors."""

    status = forms.ChoiceField(
        label="Show",
        choices=[("open", "Open risks"), ("closed", "Closed risks"), ("all", "Open and closed")],
        required=False,
    )
    theme = forms.ModelChoiceField(
        queryset=Theme.objects.filter(active=True), required=False, empty_label="All themes"
    )
    category = forms.ChoiceField(required=False)
    owner = forms.ModelChoiceField(
        label="Senior risk owner", queryset=User.objects.none(), required=False
    )
    band = forms.ChoiceField(label="Current band", required=False)
    sort = forms.ChoiceField(label="Sort by", choices=list(SORTS.items()), required=False)
    # Set by the heat map's links: risks in one cell of the grid.
    likelihood = forms.TypedChoiceField(
        choices=[(n, n) for n in range(1, 6)], coerce=int, required=False, widget=forms.HiddenInput
    )
    consequence = forms.TypedChoiceField(
        choices=[(n, n) for n in range(1, 6)], coerce=int, required=False, widget=forms.HiddenInput
    )
    basis = forms.ChoiceField(
        choices=[(b, b) for b in SCORE_BASES], required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, band_names=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "All categories"), *BAFRisk.Category.choices]
        self.fields["owner"].queryset = (
            User.objects.filter(owned_risks__isnull=False)
            .distinct()
            .select_related("organisation")
            .order_by("full_name")
        )
        self.fields["owner"].empty_label = "All owners"
        self.fields["band"].choices = [("", "All bands")] + [(n, n) for n in band_names]

    def filters(self) -> dict:
        """The valid filters as keyword arguments for presenters.register_rows."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "status": data.get("status") or "open",
            "theme": data.get("theme"),
            "category": data.get("category") or "",
            "owner": data.get("owner"),
            "band": data.get("band") or "",
            "likelihood": data.get("likelihood") or None,
            "consequence": data.get("consequence") or None,
            "basis": data.get("basis") or "current",
            "sort": data.get("sort") or "score",
        }


class RiskForm(NamedErrorsMixin, forms.ModelForm):
    """Governance adds or changes a risk. The reference is canonical ("7" becomes "07")."""

    initial_likelihood = _level_field("Initial likelihood", LIKELIHOOD_CHOICES)
    initial_consequence = _level_field("Initial consequence", CONSEQUENCE_CHOICES)
    current_likelihood = _level_field("Current likelihood", LIKELIHOOD_CHOICES)
    current_consequence = _level_field("Current consequence", CONSEQUENCE_CHOICES)
    target_likelihood = _level_field("Target likelihood", LIKELIHOOD_CHOICES)
    target_consequence = _level_field("Target consequence", CONSEQUENCE_CHOICES)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = BAFRisk
        fields = [
            "reference",
            "title",
            "description",
            "category",
            "themes",
            "owner",
            "owner_role",
            "risk_appetite",
            "next_review",
            "initial_likelihood",
            "initial_consequence",
            "current_likelihood",
            "current_consequence",
            "target_likelihood",
            "target_consequence",
            "rationale",
            "controls",
            "assurances",
            "gaps_in_control",
            "gaps_in_assurance",
            "mitigating_actions",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "themes": forms.CheckboxSelectMultiple,
        }
        field_classes = {"next_review": DateInputField}
        help_texts = {
            "reference": 'For example 07. "7" is saved as "07".',
            "owner": "The person who reviews this risk each quarter.",
        }
        error_messages = {
            "reference": {"required": "Enter the risk reference, for example 07"},
            "title": {"required": "Enter a short title for the risk"},
            "description": {"required": "Enter the risk as the board approved it"},
            "category": {"required": "Select the category"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(is_active=True).select_related(
            "organisation"
        )
        self.fields["owner"].empty_label = "No named owner (role only)"
        self.fields["themes"].queryset = Theme.objects.filter(active=True)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean_reference(self) -> str:
        reference = BAFRisk.canonical_reference(self.cleaned_data["reference"])
        clash = BAFRisk.objects.filter(reference=reference).exclude(pk=self.instance.pk).first()
        if clash:
            raise forms.ValidationError(
                f'Risk {reference} already exists ("{clash.title}"). Each BAF risk needs its '
                "own reference."
            )
        return reference

    def validate_unique(self):
        # clean_reference gives the clear message; the database constraint is the backstop.
        pass

    def action_fields(self) -> dict:
        assert set(self.Meta.fields) - {"themes"} <= RISK_FIELDS
        return {f: self.cleaned_data[f] for f in self.Meta.fields if f != "themes"}


class CloseRiskForm(NamedErrorsMixin, forms.Form):
    reason = forms.CharField(
        label="Why is the risk being closed?",
        help_text="This is kept on the risk and in the audit trail.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter why the risk is being closed"},
    )


class RiskReviewForm(NamedErrorsMixin, forms.ModelForm):
    """The owner's quarterly review: likelihood and consequence for the current and target
    scores, the rationale and the controls, assurances, gaps and actions."""

    likelihood = _level_field("Current likelihood", LIKELIHOOD_CHOICES)
    consequence = _level_field("Current consequence", CONSEQUENCE_CHOICES)
    target_likelihood = _level_field("Target likelihood", LIKELIHOOD_CHOICES)
    target_consequence = _level_field("Target consequence", CONSEQUENCE_CHOICES)
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = RiskReview
        fields = list(REVIEW_FIELDS)
        help_texts = {
            "rationale": "Why the score is what it is. Required when the score changes from "
            "last quarter.",
        }

    def __init__(self, *args, last_quarter=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        if last_quarter is not None:
            for name, value in (
                ("likelihood", last_quarter.likelihood),
                ("consequence", last_quarter.consequence),
                ("target_likelihood", last_quarter.target_likelihood),
                ("target_consequence", last_quarter.target_consequence),
            ):
                self.fields[name].help_text = f"Last quarter: {value}"

    def action_fields(self) -> dict:
        assert set(self.Meta.fields) <= set(REVIEW_FIELDS)
        return {f: self.cleaned_data[f] for f in self.Meta.fields}


class ReturnReviewForm(NamedErrorsMixin, forms.Form):
    comment = forms.CharField(
        label="Comments for the risk owner",
        help_text="Say what needs to change before the review can be accepted.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter comments for the owner explaining what to change"},
    )


class ClosedCycleReturnReviewForm(ReturnReviewForm):
    """Returning after the cycle closed: the owner could not resubmit without a date."""

    extended_until = until_field()

    def clean_extended_until(self):
        return not_in_the_past(
            self.cleaned_data["extended_until"],
            "The date the leads have until must be today or later",
        )


class _ReviewDecision(DecisionMixin):
    approve_label = "Accept"
    return_label = "Return to the owner"
    noun = "review"
    approve_verb = "accept"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_decision()


class ReviewDecisionForm(_ReviewDecision, ReturnReviewForm):
    pass


class ClosedCycleReviewDecisionForm(_ReviewDecision, ClosedCycleReturnReviewForm):
    pass


def review_decision_form_for(review, data=None) -> ReturnReviewForm:
    """Accept or return a submitted review, in one form (the return part as
    `return_review_form_for`)."""
    if review.cycle.is_closed:
        return ClosedCycleReviewDecisionForm(
            data, initial={"extended_until": default_until(review)}
        )
    return ReviewDecisionForm(data)


def return_review_form_for(review, data=None) -> ReturnReviewForm:
    """The return form of a submitted review: with a date once the cycle is closed."""
    if review.cycle.is_closed:
        return ClosedCycleReturnReviewForm(data, initial={"extended_until": default_until(review)})
    return ReturnReviewForm(data)
