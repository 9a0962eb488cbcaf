"""BAF risks, saved through the BAF's actions."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from ics_portal.workflow.errors import ActionError, SubmissionInvalid
from risks import actions as risk_actions
from risks.models import BAFRisk

from ..columns import (
    Choice,
    Col,
    Day,
    ManyCol,
    Ref,
    Refs,
    RichCol,
    ScoreCol,
    Text,
    is_blank,
)
from ..safety import cell_text
from .base import PlanResource


class RiskResource(PlanResource):
    kind = "risks"
    label = "BAF risks"
    description = (
        "The Board Assurance Framework. Scores are written \u201c20 4x5 Red\u201d (score, "
        "likelihood x consequence, band) or as separate likelihood and consequence columns. "
        "Reads the portal's own BAF register export, category heading rows included."
    )
    informational = ("Score trend", "Status")
    # No access_fields: a new owner (who writes the risk's reviews) is recorded as ACCESS_CHANGE
    # by risks.actions.create_risk / edit_risk, which every save here goes through.

    reference = Col(
        "reference",
        "Ref",
        Text(required="Enter the risk reference, for example 07", max_length=10),
        aliases=("reference", "risk id", "risk ref", "risk reference", "id"),
        required_column=True,
        example="07",
    )
    title = Col(
        "title",
        "Risk",
        Text(max_length=200),
        aliases=("title", "risk title", "risk name"),
        example="Change and uncertainty strain relationships",
    )
    description_ = Col(
        "description",
        "Impact",
        Text(),
        aliases=("description", "risk description", "risk and impact"),
        hint="The risk as the board approved it, with its impact.",
    )
    category = Col(
        "category",
        "Category",
        Choice(BAFRisk.Category, what="risk category"),
        aliases=("risk category",),
        hint="Or category heading rows, as in the BAF register export.",
        example="Stakeholder management",
    )
    themes = ManyCol(
        "themes",
        "Strategic themes",
        Refs("theme", commas=False),
        aliases=("themes", "theme", "strategic theme"),
        hint="Theme names separated by semicolons.",
    )
    initial_score = ScoreCol("initial", example="20 4x5 Red")
    current_score = ScoreCol("current", example="16 4x4 Red")
    target_score = ScoreCol("target", example="8 2x4 Amber")
    mitigating_actions = RichCol(
        "mitigating_actions",
        "Actions / mitigations",
        aliases=("actions mitigations", "mitigating actions", "actions", "mitigations"),
    )
    owner_role = Col(
        "owner_role",
        "SRO",
        Text(max_length=200),
        aliases=("senior risk owner", "sro role", "owner role", "senior risk owner role"),
        example="Chief Finance Officer",
    )
    owner = Col(
        "owner",
        "SRO email",
        Ref("person"),
        aliases=("owner", "owner email", "senior risk owner email", "risk owner"),
    )
    rationale = RichCol("rationale", "Rationale", aliases=("rationale for current score",))
    controls = RichCol("controls", "Controls", aliases=("key controls",))
    assurances = RichCol("assurances", "Assurances", aliases=("sources of assurance",))
    gaps_in_control = RichCol("gaps_in_control", "Gaps in control")
    gaps_in_assurance = RichCol("gaps_in_assurance", "Gaps in assurance")
    risk_appetite = Col("risk_appetite", "Risk appetite", Text(max_length=200))
    next_review = Col(
        "next_review",
        "Next review",
        Day(),
        aliases=("next review date", "review date"),
    )

    class Meta(PlanResource.Meta):
        model = BAFRisk
        fields = import_order = export_order = (
            "reference",
            "title",
            "initial_score",
            "current_score",
            "target_score",
            "description_",
            "mitigating_actions",
            "owner_role",
            "owner",
            "category",
            "themes",
            "rationale",
            "controls",
            "assurances",
            "gaps_in_control",
            "gaps_in_assurance",
            "risk_appetite",
            "next_review",
        )

    def key_queryset(self):
        return BAFRisk.objects.select_related("owner").prefetch_related("themes")

    def export_queryset(self):
        return self.key_queryset().filter(status=BAFRisk.Status.OPEN)

    def instance_keys(self, obj):
        return [obj.reference]

    def row_keys(self, row):
        text = cell_text(row.get("Ref")).strip()
        return [BAFRisk.canonical_reference(text)] if text else []

    def init_instance(self, row=None):
        return BAFRisk(matrix=self.matrix)

    def prepare_row(self, row: dict, values: list) -> dict | None:
        """A row holding only a category's name is a heading (as in the BAF register): the
        risks below it are in that category unless their own row says otherwise."""
        filled = [v for v in values if not is_blank(v)]
        if len(filled) == 1 and isinstance(filled[0], str):
            try:
                code = self.fields["category"].widget.clean(filled[0])
            except ValueError:
                code = None
            if code:
                self._heading_category = code
                return None
        heading = getattr(self, "_heading_category", None)
        if heading and is_blank(row.get("Category")):
            row["Category"] = BAFRisk.Category(heading).label
        return row

    def check_row(self, instance, row, errors):
        if instance.pk is None:
            for attribute, message in (
                ("title", "Enter the risk's short title"),
                ("description", "Enter the risk as the board approved it"),
                ("category", "Give the risk's category"),
            ):
                if not getattr(instance, attribute) and attribute not in errors:
                    errors[attribute] = ValidationError(message)
            for field in self.columns():
                missing = isinstance(field, ScoreCol) and field.attribute not in errors
                if missing and getattr(instance, f"{field.basis}_likelihood") is None:
                    errors[field.attribute] = ValidationError(
                        'Enter the score as likelihood × consequence, for example "20 4x5 Red"'
                    )
        if instance.reference:
            instance.reference = BAFRisk.canonical_reference(instance.reference)

    def save_instance(self, instance, is_create, row, **kwargs):
        """Through the BAF's actions: audited, scored under the matrix in force."""
        present = {f.attribute for f in self.columns() if f.column_name in row and f.attribute}
        names = set()
        for name in risk_actions.RISK_FIELDS:
            prefix = name.rsplit("_", 1)[0]
            if name in present or f"{prefix}_score" in present:
                names.add(name)
        fields = {name: getattr(instance, name) for name in names}
        themes = self._m2m.get("themes")
        try:
            if is_create:
                risk = risk_actions.create_risk(by=self.by, fields=fields, themes=themes or [])
                instance.pk = risk.pk
            else:
                risk_actions.edit_risk(
                    risk=instance,
                    base_version=instance.version,
                    by=self.by,
                    fields=fields,
                    themes=themes if "Strategic themes" in self._changes else None,
                )
        except SubmissionInvalid as error:
            raise ValidationError(
                {
                    name if name in fields else NON_FIELD_ERRORS: msg
                    for name, msg in error.errors.items()
                }
            ) from None
        except ActionError as error:
            raise ValidationError(str(error)) from None

    def save_m2m(self, instance, row, **kwargs):
        """Themes were saved by the action; a new owner is an access change."""
        self.links_saved(instance)

    def describe(self, obj):
        return f"{obj.reference} – {obj.title}"
