"""Admin for the Board Assurance Framework: matrices and bands, BAF risks, quarterly reviews.

Scores and bands are derived, never typed: the admin shows them read-only ("16 (4×4) Extreme").
Risks are created and edited through risks/actions.py (versioned, audited, re-scored under the
matrix in force); a risk is closed on its portal page, where the reason is asked for.
"""

from django import forms
from django.contrib import admin

from ics_portal.admin import (
    HistoryAdmin,
    PortalModelAdmin,
    ReadOnlyAdminMixin,
    WorkflowAdmin,
    WorkflowAdminForm,
    run_action_for_each,
)
from ics_portal.workflow import actions as workflow

from . import actions
from .matrix import CONSEQUENCE_CHOICES, LIKELIHOOD_CHOICES
from .models import BAFRisk, RiskBand, RiskMatrix, RiskReview


def _level(label: str, choices) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, choices=[("", "---------"), *choices], coerce=int)


def _likelihood(label: str = "Likelihood") -> forms.TypedChoiceField:
    return _level(label, LIKELIHOOD_CHOICES)


def _consequence(label: str = "Consequence") -> forms.TypedChoiceField:
    return _level(label, CONSEQUENCE_CHOICES)


def _matrix_in_use(matrix: RiskMatrix | None) -> bool:
    """Scores made under a matrix keep its bands, so its bands are fixed once it is used."""
    if matrix is None or matrix.pk is None:
        return False
    return (
        BAFRisk.objects.filter(matrix=matrix).exists()
        or RiskReview.objects.filter(matrix=matrix).exists()
    )


_MATRIX_IN_USE = (
    "Scores have been made under this matrix, so it and its bands are kept and not deleted. "
    "To change the bands, add a new version of the matrix."
)

# --- matrices and bands -----------------------------------------------------------------------


class RiskBandInline(admin.TabularInline):
    model = RiskBand
    extra = 0

    def has_add_permission(self, request, obj=None):
        return not _matrix_in_use(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not _matrix_in_use(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _matrix_in_use(obj) and super().has_delete_permission(request, obj)


@admin.register(RiskMatrix)
class RiskMatrixAdmin(PortalModelAdmin):
    """A matrix is versioned: to change the bands once scores use it, add a new version (new
    scores are made under the highest version; old scores keep theirs)."""

    list_display = ("name", "version", "bands_summary", "created_at")
    search_fields = ("name",)
    inlines = (RiskBandInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("bands")

    def get_readonly_fields(self, request, obj=None):
        return ("version", "created_at") if obj is not None else ("created_at",)

    def delete_refused(self, request, obj) -> str:
        return _MATRIX_IN_USE if _matrix_in_use(obj) else ""

    @admin.display(description="bands")
    def bands_summary(self, obj) -> str:
        return ", ".join(f"{b.name} {b.min_score}–{b.max_score}" for b in obj.bands.all())


@admin.register(RiskBand)
class RiskBandAdmin(PortalModelAdmin):
    list_display = ("name", "matrix", "min_score", "max_score", "colour")
    list_filter = ("matrix",)
    list_select_related = ("matrix",)
    search_fields = ("name", "colour")

    def has_change_permission(self, request, obj=None):
        if obj is not None and _matrix_in_use(obj.matrix):
            return False
        return super().has_change_permission(request, obj)

    def delete_refused(self, request, obj) -> str:
        return _MATRIX_IN_USE if _matrix_in_use(obj.matrix) else ""


# --- risks ------------------------------------------------------------------------------------


class BAFRiskAdminForm(forms.ModelForm):
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    initial_likelihood = _likelihood("Initial likelihood")
    initial_consequence = _consequence("Initial consequence")
    current_likelihood = _likelihood("Current likelihood")
    current_consequence = _consequence("Current consequence")
    target_likelihood = _likelihood("Target likelihood")
    target_consequence = _consequence("Target consequence")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["base_version"].initial = self.instance.version

    def clean_reference(self):
        # "7" and "07" are the same risk; checked for clashes in its canonical form.
        return BAFRisk.canonical_reference(self.cleaned_data["reference"])

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and cleaned.get("base_version") != self.instance.version:
            raise forms.ValidationError(
                f"{actions.StaleRiskError(self.instance)} Reload the page to see the changes "
                "before editing."
            )
        return cleaned


class RiskReviewInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The risk's quarterly reviews (each is opened from its own page)."""

    model = RiskReview
    fields = ("cycle", "score_label", "target_score_label", "state")
    readonly_fields = fields
    show_change_link = True
    extra = 0

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("cycle", "matrix")
            .prefetch_related("matrix__bands")
        )

    @admin.display(description="score")
    def score_label(self, obj) -> str:
        return obj.score.label

    @admin.display(description="target score")
    def target_score_label(self, obj) -> str:
        return obj.target_score.label


@admin.register(BAFRisk)
class BAFRiskAdmin(HistoryAdmin):
    form = BAFRiskAdminForm
    # No access_fields: a new owner (who writes the risk's reviews) is recorded as ACCESS_CHANGE
    # by risks.actions.create_risk / edit_risk, which every save here goes through.
    list_display = (
        "reference",
        "title",
        "category",
        "owner_label",
        "initial_score_label",
        "current_score_label",
        "target_score_label",
        "status",
        "next_review",
    )
    list_display_links = ("reference", "title")
    list_filter = ("status", "category", "themes", "matrix")
    search_fields = (
        "reference",
        "title",
        "description",
        "owner__full_name",
        "owner__email",
        "owner_role",
    )
    autocomplete_fields = ("owner", "themes")
    readonly_fields = (
        "initial_score_label",
        "current_score_label",
        "target_score_label",
        "matrix",
        "status",
        "closed_reason",
        "closed_at",
        "version",
    )
    fieldsets = (
        (None, {"fields": ("reference", "title", "description", "category", "themes")}),
        ("Senior risk owner", {"fields": ("owner", "owner_role")}),
        (
            "Scores (likelihood × consequence; the score and band are worked out)",
            {
                "fields": (
                    ("initial_likelihood", "initial_consequence", "initial_score_label"),
                    ("current_likelihood", "current_consequence", "current_score_label"),
                    ("target_likelihood", "target_consequence", "target_score_label"),
                    "matrix",
                )
            },
        ),
        (
            None,
            {
                "fields": (
                    "rationale",
                    "controls",
                    "assurances",
                    "gaps_in_control",
                    "gaps_in_assurance",
                    "mitigating_actions",
                    "risk_appetite",
                    "next_review",
                )
            },
        ),
        (
            "Status (close a risk on its page in the portal, where the reason is asked for)",
            {"fields": ("status", "closed_reason", "closed_at", "version", "base_version")},
        ),
    )
    inlines = (RiskReviewInline,)
    actions = ("reopen_selected",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("owner__organisation", "matrix")
            .prefetch_related("matrix__bands")
        )

    def delete_refused(self, request, obj) -> str:
        """A risk that has been reviewed, cited or closed is closed, not deleted (its history
        and the updates that cite it must still make sense); a mistaken new entry can be
        deleted (and the delete is audited)."""
        if (
            obj.status != BAFRisk.Status.OPEN
            or obj.reviews.exists()
            or obj.workstream_updates.exists()
            or obj.golden_thread_updates.exists()
        ):
            return (
                "A risk that has been reviewed, cited in an update or closed is not deleted: "
                "it is closed on its page in the portal, where the reason is asked for."
            )
        return ""

    @admin.display(description="senior risk owner", ordering="owner__full_name")
    def owner_label(self, obj) -> str:
        return obj.owner_label

    @admin.display(description="initial score")
    def initial_score_label(self, obj) -> str:
        return obj.initial_score.label if obj.pk else "-"

    @admin.display(description="current score")
    def current_score_label(self, obj) -> str:
        return obj.current_score.label if obj.pk else "-"

    @admin.display(description="target score")
    def target_score_label(self, obj) -> str:
        return obj.target_score.label if obj.pk else "-"

    def save_model(self, request, obj, form, change):
        """Through the actions: versioned, audited, and re-scored under the matrix in force."""
        fields = {name: form.cleaned_data[name] for name in actions.RISK_FIELDS}
        themes = list(form.cleaned_data["themes"])
        if change:
            if form.has_changed():
                saved = actions.edit_risk(
                    risk=obj,
                    base_version=form.cleaned_data["base_version"],
                    by=request.user,
                    fields=fields,
                    themes=themes,
                )
                obj.version, obj.matrix = saved.version, saved.matrix
            return
        saved = actions.create_risk(by=request.user, fields=fields, themes=themes)
        obj.pk, obj._state, obj.matrix = saved.pk, saved._state, saved.matrix

    def save_related(self, request, form, formsets, change):
        # The themes were saved by the action; the reviews inline is read-only.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.action(description="Reopen selected closed risks")
    def reopen_selected(self, request, queryset):
        run_action_for_each(
            self, request, queryset, actions.reopen_risk, keyword="risk", done="Reopened"
        )


# --- quarterly reviews ------------------------------------------------------------------------


class RiskReviewAdminForm(WorkflowAdminForm):
    likelihood = _likelihood("Current likelihood")
    consequence = _consequence("Current consequence")
    target_likelihood = _likelihood("Target likelihood")
    target_consequence = _consequence("Target consequence")


@admin.register(RiskReview)
class RiskReviewAdmin(WorkflowAdmin):
    form = RiskReviewAdminForm
    subject_fields = ("risk", "cycle")
    content_fields = actions.REVIEW_FIELDS
    list_display = ("risk", "cycle", "score_label", "target_score_label", "state", "updated_at")
    list_filter = ("cycle", "state", "risk__category")
    search_fields = ("risk__reference", "risk__title", "risk__owner__full_name")
    autocomplete_fields = ("risk", "cycle")
    actions = ("accept_selected",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("risk", "cycle", "matrix")
            .prefetch_related("matrix__bands")
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return [*readonly, "matrix", "score_label", "target_score_label"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        fieldsets[0][1]["fields"] += ["score_label", "target_score_label", "matrix"]
        return fieldsets

    @admin.display(description="score")
    def score_label(self, obj) -> str:
        return obj.score.label if obj.pk else "-"

    @admin.display(description="target score")
    def target_score_label(self, obj) -> str:
        return obj.target_score.label if obj.pk else "-"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.matrix = RiskMatrix.objects.current()  # new scores use the matrix in force
        super().save_model(request, obj, form, change)

    def save_content(self, request, obj, *, base_version, fields, m2m, formsets):
        return actions.save_review(
            review=obj, base_version=base_version, by=request.user, fields=fields
        )

    @admin.action(description="Accept selected submitted reviews")
    def accept_selected(self, request, queryset):
        run_action_for_each(
            self, request, queryset, workflow.approve, keyword="update", done="Accepted"
        )
