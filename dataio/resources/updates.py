"""Statuses of quarterly updates, saved through the update workflow's save_update."""

from django.core.exceptions import ValidationError

from ics_portal.models import ReportingCycle
from ics_portal.periods import Quarter
from ics_portal.workflow.errors import ActionError
from ics_portal.workflow.kinds import kind_of
from reporting import actions as reporting_actions
from reporting.models import GoldenThreadUpdate, WorkstreamUpdate
from reporting.numbers import COUNTED_COLUMN

from ..columns import (
    Col,
    Day,
    KeyCol,
    Status,
    Text,
    is_blank,
)
from ..parsing import normalise_key
from ..safety import cell_text
from .base import PlanResource

# The Type column's words: each kind's label (reporting/kinds.py).
WORKSTREAM, GOLDEN_THREAD = "Workstream", "Golden thread"


def _update_type(update) -> str:
    return kind_of(update).label


def _update_code(update) -> str:
    return kind_of(update).code(update)


class UpdateResource(PlanResource):
    kind = "updates"
    label = "Update statuses"
    description = (
        "Overall and forecast status of workstream and golden-thread updates in a cycle "
        "(the updates CSV export, edited). Status words as in the papers: \u201cOn Track\u201d, "
        "\u201cOn-Track\u201d, \u201cWork not started\u201d \u2026 Approved updates cannot change."
    )
    informational = (
        "Theme",
        "Name",
        "Leads",
        "Workflow state",
        "Submitted",
        "Approved",
        "Next quarter plans",
        "Key risks",
        "BAF risks",
        "Nothing to escalate",
        "Milestones due",
        # Written by the updates export (which rows the status counts count); not read back.
        COUNTED_COLUMN,
    )

    cycle = KeyCol(
        "Cycle",
        lambda u: u.cycle.label,
        aliases=("quarter", "reporting cycle"),
        required_column=True,
        example="Q3 2021/22",
    )
    type_ = KeyCol(
        "Type",
        _update_type,
        aliases=("kind",),
        hint="Workstream (the default) or Golden thread.",
    )
    code = KeyCol(
        "Code",
        _update_code,
        aliases=("workstream code", "workstream", "thread number"),
        required_column=True,
        hint="Workstream code, or golden-thread number.",
        example="DE",
    )
    overall_status = Col(
        "overall_status",
        "Overall status",
        Status(),
        aliases=("status", "rag", "overall"),
        example="On Track",
    )
    forecast_status = Col(
        "forecast_status",
        "Forecast status",
        Status(),
        aliases=("forecast", "forecast next quarter"),
        example="At risk",
    )
    status_explanation = Col(
        "status_explanation",
        "Status explanation",
        Text(),
        aliases=("explanation", "reason"),
    )
    date_of_update = Col(
        "date_of_update",
        "Date of update",
        Day(),
        aliases=("updated on", "update date"),
    )

    class Meta(PlanResource.Meta):
        model = WorkstreamUpdate
        clean_model_instances = False  # save_update validates
        fields = import_order = export_order = (
            "cycle",
            "type_",
            "code",
            "overall_status",
            "forecast_status",
            "status_explanation",
            "date_of_update",
        )

    def key_queryset(self):
        return [
            *WorkstreamUpdate.objects.select_related("cycle", "workstream"),
            *GoldenThreadUpdate.objects.select_related("cycle", "golden_thread"),
        ]

    def instance_keys(self, obj):
        return [
            (
                _update_type(obj),
                obj.cycle.fy_start_year,
                obj.cycle.quarter,
                _update_code(obj).lower(),
            )
        ]

    def _row_type(self, row) -> str | None:
        text = normalise_key(row.get("Type"))
        if text in ("", "workstream", "ws"):
            return WORKSTREAM
        if text in ("golden thread", "thread", "gt"):
            return GOLDEN_THREAD
        return None

    def row_keys(self, row):
        kind = self._row_type(row)
        try:
            quarter = Quarter.parse(cell_text(row.get("Cycle")))
        except ValueError:
            return []
        code = cell_text(row.get("Code")).strip().lower()
        if kind == GOLDEN_THREAD:
            code = code.split(":", 1)[0].strip().lstrip("0")
        return [(kind, quarter.fy_start_year, quarter.number, code)] if kind and code else []

    def key_header(self):
        return "Code"

    def init_instance(self, row=None):
        """Imports never create updates (opening a cycle does); say why the row has none."""
        raise ValidationError(self._missing_update(row))

    def _missing_update(self, row) -> dict:
        kind = self._row_type(row)
        if kind is None:
            return {"column:Type": f'"{row.get("Type")}" is not Workstream or Golden thread'}
        try:
            quarter = Quarter.parse(cell_text(row.get("Cycle")))
        except ValueError as error:
            return {"column:Cycle": str(error).rstrip(".")}
        code = cell_text(row.get("Code")).strip()
        if not code:
            return {"column:Code": "Give the workstream code or golden-thread number"}
        if not ReportingCycle.objects.filter(
            fy_start_year=quarter.fy_start_year, quarter=quarter.number
        ).exists():
            return {"column:Cycle": f"there is no {quarter.label} reporting cycle"}
        try:
            subject = self.lookups.find(
                "workstream" if kind == WORKSTREAM else "golden_thread", code
            )
        except ValueError as error:
            return {"column:Code": str(error)}
        return {
            "column:Code": f"the {quarter.label} cycle has no update for {subject}: updates "
            "are made when a cycle is opened"
        }

    def _not_written(self, instance) -> list[str]:
        """The columns of fields this kind of update does not have (a golden thread has no
        forecast): those its kind's leads do not write."""
        written = kind_of(instance).fields
        return [
            column.column_name
            for column in self.columns()
            if column.attribute and column.attribute not in written
        ]

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        not_written = self._not_written(instance)
        for header in not_written:
            if not is_blank(row.get(header)):
                errors[f"column:{header}"] = ValidationError(
                    f"{kind_of(instance).plural} do not have this; leave it blank"
                )
        row = {k: v for k, v in row.items() if k not in not_written}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        not_written = self._not_written(instance)
        row = {k: v for k, v in row.items() if k not in not_written}
        return super().skip_row(instance, original, row, import_validation_errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        """Through save_update: the same locks, versioning and audit as the page."""
        attributes = {
            f.attribute: getattr(instance, f.attribute)
            for f in self.columns()
            if f.attribute and f.column_name in self._changes
        }
        try:
            reporting_actions.save_update(
                update=instance, base_version=instance.version, by=self.by, fields=attributes
            )
        except ActionError as error:
            raise ValidationError(str(error)) from None

    def save_m2m(self, instance, row, **kwargs):
        """Updates have no list columns here."""

    def export_queryset(self):
        return self.key_queryset()

    def describe(self, obj):
        return f"{_update_code(obj)} – {obj.cycle.label}"
