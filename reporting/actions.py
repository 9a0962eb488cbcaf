"""Every state change of reporting cycles and updates.

Plain functions with keyword-only arguments and an explicit `by=` user. Each runs in one
transaction, asserts its precondition, writes an AuditEvent in that transaction and queues
its emails to be sent after the commit. Views, commands, the admin and tests call these; none
of them changes an update's state by hand.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from ics_portal.audit import record
from ics_portal.richtext import html_to_text, sanitise_html
from workstreams.models import GoldenThread, Workstream

from . import notifications
from .models import (
    GoldenThreadUpdate,
    MilestoneProgress,
    ObjectiveProgress,
    ReportingCycle,
    WorkstreamUpdate,
)
from .status import NEEDS_EXPLANATION, DeliveryStatus, WorkflowState
from .workflow import EDITABLE_STATES


class ActionError(Exception):
    """A state change that cannot happen; the message is shown to the person as written."""


class StaleUpdateError(ActionError):
    """A save based on an older version than the one stored."""

    def __init__(self, current):
        self.current = current
        who = current.updated_by.full_name if current.updated_by else "someone else"
        when = timezone.localtime(current.updated_at).strftime("%-d %B %Y at %H:%M")
        super().__init__(f"This update was changed by {who} at {when}.")


class SubmissionInvalid(ActionError):
    """Submit found problems; `errors` maps a field name to its message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(errors.values()))


# --- cycles -----------------------------------------------------------------------------------


def create_cycle(
    *,
    fy_start_year: int,
    quarter: int,
    opens_on: date,
    submission_deadline: date,
    review_deadline: date,
    board_forum: str = "",
    board_meeting_date: date | None = None,
    by,
) -> ReportingCycle:
    """Create a reporting cycle in draft."""
    with transaction.atomic():
        if ReportingCycle.objects.filter(fy_start_year=fy_start_year, quarter=quarter).exists():
            raise ActionError("There is already a reporting cycle for that quarter.")
        cycle = ReportingCycle(
            fy_start_year=fy_start_year,
            quarter=quarter,
            opens_on=opens_on,
            submission_deadline=submission_deadline,
            review_deadline=review_deadline,
            board_forum=board_forum,
            board_meeting_date=board_meeting_date,
        )
        try:
            # The forms check the same; this holds commands and scripts to the plausible years
            # and dates too (a stored year of 99999 broke every page listing cycles).
            cycle.full_clean()
        except ValidationError as error:
            raise ActionError("; ".join(error.messages)) from None
        cycle.save()
        record(by=by, verb="cycle.create", obj=cycle)
    return cycle


def previous_update(model, *, cycle: ReportingCycle, **subject):
    """The most recent approved (or published) update for the same subject before `cycle`."""
    earlier = models.Q(cycle__fy_start_year__lt=cycle.fy_start_year) | models.Q(
        cycle__fy_start_year=cycle.fy_start_year, cycle__quarter__lt=cycle.quarter
    )
    return (
        model.objects.filter(earlier, **subject)
        .filter(state__in=[WorkflowState.APPROVED, WorkflowState.PUBLISHED])
        .order_by("-cycle__fy_start_year", "-cycle__quarter")
        .first()
    )


def open_cycle(*, cycle: ReportingCycle, by) -> ReportingCycle:
    """Open a draft cycle: one update per active workstream and golden thread, pre-filled from
    the previous quarter's approved update, and an email to every lead."""
    with transaction.atomic():
        cycle = ReportingCycle.objects.select_for_update().get(pk=cycle.pk)
        if cycle.status != ReportingCycle.Status.DRAFT:
            raise ActionError(
                f"Only a draft cycle can be opened; this one is {cycle.get_status_display().lower()}."
            )
        cycle.status = ReportingCycle.Status.OPEN
        cycle.save(update_fields=["status"])
        created = 0
        workstreams = Workstream.objects.filter(active=True).prefetch_related(
            "objectives", "milestones", "baf_risks"
        )
        for workstream in workstreams:
            _, made = _create_workstream_update(cycle=cycle, workstream=workstream)
            created += made
        for thread in GoldenThread.objects.filter(active=True):
            _, made = _create_golden_thread_update(cycle=cycle, thread=thread)
            created += made
        # Risk reviews are opened by the risks app in the same transaction.
        from risks.actions import open_risk_reviews

        open_risk_reviews(cycle=cycle, by=by)
        record(by=by, verb="cycle.open", obj=cycle, after={"updates_created": created})
        notifications.cycle_opened(cycle)
    return cycle


def _create_workstream_update(*, cycle, workstream) -> tuple[WorkstreamUpdate, bool]:
    if WorkstreamUpdate.objects.filter(cycle=cycle, workstream=workstream).exists():
        return WorkstreamUpdate.objects.get(cycle=cycle, workstream=workstream), False
    last = previous_update(WorkstreamUpdate, cycle=cycle, workstream=workstream)
    update = WorkstreamUpdate.objects.create(
        cycle=cycle,
        workstream=workstream,
        overall_status=last.overall_status if last else "",
        forecast_status=last.forecast_status if last else "",
        status_explanation=last.status_explanation if last else "",
        next_quarter_plans=last.next_quarter_plans if last else "",
        key_risks=last.key_risks if last else "",
        nothing_to_escalate=last.nothing_to_escalate if last else False,
    )
    last_progress = {}
    last_milestones = {}
    if last:
        last_progress = {p.objective_id: p.progress for p in last.objective_progress.all()}
        last_milestones = {m.milestone_id: m for m in last.milestone_progress.all()}
        update.baf_risks.set(last.baf_risks.all())
    else:
        update.baf_risks.set(workstream.baf_risks.all())
    ObjectiveProgress.objects.bulk_create(
        ObjectiveProgress(update=update, objective=o, progress=last_progress.get(o.pk, ""))
        for o in workstream.objectives.all()
        if o.active
    )
    MilestoneProgress.objects.bulk_create(
        MilestoneProgress(
            update=update,
            milestone=m,
            status=last_milestones[m.pk].status if m.pk in last_milestones else "",
            revised_date=last_milestones[m.pk].revised_date if m.pk in last_milestones else None,
            note=last_milestones[m.pk].note if m.pk in last_milestones else "",
        )
        for m in workstream.milestones.all()
    )
    return update, True


def _create_golden_thread_update(*, cycle, thread) -> tuple[GoldenThreadUpdate, bool]:
    if GoldenThreadUpdate.objects.filter(cycle=cycle, golden_thread=thread).exists():
        return GoldenThreadUpdate.objects.get(cycle=cycle, golden_thread=thread), False
    last = previous_update(GoldenThreadUpdate, cycle=cycle, golden_thread=thread)
    update = GoldenThreadUpdate.objects.create(
        cycle=cycle,
        golden_thread=thread,
        overall_status=last.overall_status if last else "",
        status_explanation=last.status_explanation if last else "",
        # Last quarter's plans are this quarter's starting point for the update.
        quarter_update=last.quarter_update if last else "",
        next_quarter_plans=last.next_quarter_plans if last else "",
        key_risks=last.key_risks if last else "",
        nothing_to_escalate=last.nothing_to_escalate if last else False,
    )
    if last:
        update.baf_risks.set(last.baf_risks.all())
        update.objectives.set(last.objectives.all())
    return update, True


def close_cycle(*, cycle: ReportingCycle, by) -> ReportingCycle:
    """Close an open cycle to further submissions."""
    with transaction.atomic():
        cycle = ReportingCycle.objects.select_for_update().get(pk=cycle.pk)
        if cycle.status != ReportingCycle.Status.OPEN:
            raise ActionError("Only an open cycle can be closed.")
        cycle.status = ReportingCycle.Status.CLOSED
        cycle.save(update_fields=["status"])
        record(by=by, verb="cycle.close", obj=cycle)
    return cycle


# --- updates ----------------------------------------------------------------------------------


def _locked(update):
    # Lock only the update's row: PostgreSQL refuses FOR UPDATE on the nullable side of the
    # outer join to updated_by.
    return (
        type(update)
        .objects.select_for_update(of=("self",))
        .select_related("updated_by", "cycle")
        .get(pk=update.pk)
    )


def _snapshot(update, fields) -> dict[str, Any]:
    return {f: _plain(getattr(update, f)) for f in fields}


def _plain(value):
    if isinstance(value, date):
        return value.isoformat()
    return value


# What a lead (or governance) writes in each kind of update, in form order. The forms, the
# admin and imports pass these to save_update; the workflow fields are never among them.
WORKSTREAM_UPDATE_FIELDS = (
    "overall_status",
    "forecast_status",
    "status_explanation",
    "next_quarter_plans",
    "key_risks",
    "nothing_to_escalate",
    "date_of_update",
)
GOLDEN_THREAD_UPDATE_FIELDS = (
    "overall_status",
    "status_explanation",
    "quarter_update",
    "next_quarter_plans",
    "key_risks",
    "nothing_to_escalate",
)


def save_update(
    *,
    update,
    base_version: int,
    by,
    fields: dict[str, Any],
    objective_progress: dict[int, str] | None = None,
    milestone_rows: dict[int, dict[str, Any]] | None = None,
    baf_risks=None,
    objectives=None,
):
    """Save a lead's (or governance's) edits to an update.

    Refuses with StaleUpdateError when the stored version is newer than `base_version`, so two
    people editing at once never overwrite each other silently. The first save moves the update
    from "not started" to "draft".
    """
    with transaction.atomic():
        current = _locked(update)
        if current.version != base_version:
            raise StaleUpdateError(current)
        if current.state not in EDITABLE_STATES and current.state != WorkflowState.SUBMITTED:
            raise ActionError(
                f"This update is {current.state_label.lower()} and can no longer be edited."
            )
        _validate_values(type(current), fields)
        for values in (milestone_rows or {}).values():
            _validate_values(MilestoneProgress, values)
        changed_fields = [
            f
            for f, v in fields.items()
            if _normalised_value(v) != _normalised_value(getattr(current, f))
        ]
        before = _snapshot(current, changed_fields)
        for name, value in fields.items():
            setattr(current, name, value)
        changed = list(changed_fields)
        if objective_progress is not None:
            changed += _save_objective_progress(current, objective_progress)
        if milestone_rows is not None:
            changed += _save_milestone_rows(current, milestone_rows)
        if baf_risks is not None and {r.pk for r in baf_risks} != set(
            current.baf_risks.values_list("pk", flat=True)
        ):
            current.baf_risks.set(baf_risks)
            changed.append("baf_risks")
        if objectives is not None and {o.pk for o in objectives} != set(
            current.objectives.values_list("pk", flat=True)
        ):
            current.objectives.set(objectives)
            changed.append("objectives")
        if current.state == WorkflowState.NOT_STARTED:
            current.state = WorkflowState.DRAFT
        current.version += 1
        current.updated_by = by
        current.save()
        record(
            by=by,
            verb="update.save",
            obj=current,
            before=before,
            after={
                **_snapshot(current, changed_fields),
                "changed": changed,
                "version": current.version,
            },
        )
    return current


def _validate_values(model, values: dict[str, Any]) -> None:
    """The model's own validators on what is about to be saved (a date outside the portal's
    range, ics_portal/dates.py), whoever calls: the forms check first, imports and scripts
    meet them here."""
    for name, value in values.items():
        try:
            model._meta.get_field(name).run_validators(value)
        except ValidationError as error:
            raise ActionError("; ".join(error.messages)) from None


def _normalised_value(value):
    if isinstance(value, str) and value.lstrip().startswith("<"):
        return sanitise_html(value)
    return value


def _save_objective_progress(update, progress: dict[int, str]) -> list[str]:
    changed = []
    rows = {row.objective_id: row for row in update.objective_progress.all()}
    for objective_id, html in progress.items():
        row = rows.get(objective_id)
        clean = sanitise_html(html)
        if row is None:
            ObjectiveProgress.objects.create(
                update=update, objective_id=objective_id, progress=clean
            )
            changed.append(f"objective:{objective_id}")
        elif row.progress != clean:
            row.progress = clean
            row.save(update_fields=["progress"])
            changed.append(f"objective:{objective_id}")
    return changed


def _save_milestone_rows(update, rows_in: dict[int, dict[str, Any]]) -> list[str]:
    changed = []
    rows = {row.milestone_id: row for row in update.milestone_progress.all()}
    for milestone_id, values in rows_in.items():
        row = rows.get(milestone_id) or MilestoneProgress(update=update, milestone_id=milestone_id)
        dirty = row.pk is None
        for name in ("status", "revised_date", "note"):
            if name in values and getattr(row, name) != values[name]:
                setattr(row, name, values[name])
                dirty = True
        if dirty:
            row.save()
            changed.append(f"milestone:{milestone_id}")
    return changed


# Other apps whose objects share this workflow (risk reviews) register how to validate them and
# what approving them changes: {model: {"validate": fn(obj) -> errors, "on_approve": fn(obj, by)}}.
WORKFLOW_HOOKS: dict[type, dict[str, Any]] = {}


def register_workflow_hooks(model, *, validate=None, on_approve=None) -> None:
    WORKFLOW_HOOKS[model] = {"validate": validate, "on_approve": on_approve}


def validate_for_submission(update) -> dict[str, str]:
    """What must be true before an update can be submitted (DESIGN.md §3)."""
    errors: dict[str, str] = {}
    hooks = WORKFLOW_HOOKS.get(type(update), {})
    if hooks.get("validate"):
        return hooks["validate"](update)
    if isinstance(update, WorkstreamUpdate):
        if not update.overall_status:
            errors["overall_status"] = "Select the overall status"
        if not update.forecast_status:
            errors["forecast_status"] = "Select the forecast status for next quarter"
        if update.overall_status in NEEDS_EXPLANATION and not update.status_explanation.strip():
            label = DeliveryStatus(update.overall_status).label
            errors["status_explanation"] = f"Explain why the status is {label}"
        if not (
            html_to_text(update.key_risks)
            or update.baf_risks.exists()
            or update.nothing_to_escalate
        ):
            errors["key_risks"] = (
                'Describe the key risks and issues, link a BAF risk, or choose "nothing new to escalate"'
            )
        period_end = update.cycle.period.end
        for row in update.milestone_progress.select_related("milestone"):
            due = row.milestone.due_date
            if (
                due
                and due < period_end
                and row.status != DeliveryStatus.COMPLETE
                and not row.revised_date
                and not row.note.strip()
            ):
                errors[f"milestone_{row.milestone_id}"] = (
                    f'"{row.milestone.title}" was due by {row.milestone.due_label or due:%-d %B %Y} '
                    "and is not complete: give a revised date or a reason"
                    if not row.milestone.due_label
                    else f'"{row.milestone.title}" was due ({row.milestone.due_label}) and is not '
                    "complete: give a revised date or a reason"
                )
    else:
        if not html_to_text(update.quarter_update):
            errors["quarter_update"] = f"Enter the Quarter {update.cycle.quarter} update"
        if update.overall_status in NEEDS_EXPLANATION and not update.status_explanation.strip():
            errors["status_explanation"] = (
                "Explain why the status is " + DeliveryStatus(update.overall_status).label
            )
        if not (
            html_to_text(update.key_risks)
            or update.baf_risks.exists()
            or update.nothing_to_escalate
        ):
            errors["key_risks"] = (
                'Describe the key risks, link a BAF risk, or choose "no additional risks for escalation"'
            )
    return errors


def submit_update(*, update, by):
    """Submit a draft or returned update for governance review."""
    with transaction.atomic():
        current = _locked(update)
        if current.state not in EDITABLE_STATES:
            raise ActionError(
                f"This update is {current.state_label.lower()}; it cannot be submitted."
            )
        if not current.cycle.is_open:
            raise ActionError("The reporting cycle is not open for submissions.")
        errors = validate_for_submission(current)
        if errors:
            raise SubmissionInvalid(errors)
        before = current.state
        current.state = WorkflowState.SUBMITTED
        current.returned_sections = []  # the lead has dealt with them
        current.submitted_at = timezone.now()
        current.submitted_by = by
        current.updated_by = by
        current.version += 1
        current.save()
        record(
            by=by,
            verb="update.submit",
            obj=current,
            before={"state": before},
            after={"state": current.state},
        )
        notifications.update_submitted(current)
    return current


def withdraw_update(*, update, by):
    """The lead takes back a submission that has not been reviewed yet."""
    with transaction.atomic():
        current = _locked(update)
        if current.state != WorkflowState.SUBMITTED:
            raise ActionError(
                "Only a submitted update that has not been reviewed can be withdrawn."
            )
        current.state = WorkflowState.DRAFT
        current.updated_by = by
        current.version += 1
        current.save()
        record(
            by=by,
            verb="update.withdraw",
            obj=current,
            before={"state": "SUBMITTED"},
            after={"state": "DRAFT"},
        )
    return current


def return_update(*, update, by, comment: str, sections: list[str] | None = None):
    """Governance returns a submitted update to its lead with comments (required) and,
    optionally, the keys of the sections to change (reporting.review.review_sections)."""
    comment = (comment or "").strip()
    errors = {}
    if not comment:
        errors["comment"] = "Enter comments for the lead explaining what to change"
    sections = _checked_sections(update, sections or [], errors)
    if errors:
        raise SubmissionInvalid(errors)
    with transaction.atomic():
        current = _locked(update)
        if current.state != WorkflowState.SUBMITTED:
            raise ActionError("Only a submitted update can be returned.")
        current.state = WorkflowState.RETURNED
        current.review_comment = comment
        current.returned_sections = sections
        current.returned_at = timezone.now()
        current.updated_by = by
        current.version += 1
        current.save()
        record(
            by=by,
            verb="update.return",
            obj=current,
            before={"state": "SUBMITTED"},
            after={"state": "RETURNED", "sections": sections},
            comment=comment,
        )
        notifications.update_returned(current, comment=comment)
    return current


def _checked_sections(update, keys: list[str], errors: dict[str, str]) -> list[str]:
    """`keys` in the order of the update's form, or an error naming the ones it does not have."""
    if not keys:
        return []
    from .review import review_sections  # review reads previous_update from this module

    known = [section.key for section in review_sections(update)]
    unknown = [key for key in keys if key not in known]
    if unknown:
        choices = ", ".join(known) or "none"
        errors["sections"] = (
            f"This update has no section {', '.join(map(repr, unknown))}; "
            f"its sections are: {choices}"
        )
        return []
    return [key for key in known if key in keys]


def approve_update(*, update, by):
    """Governance approves a submitted update; it is read-only from then on."""
    with transaction.atomic():
        current = _locked(update)
        if current.state != WorkflowState.SUBMITTED:
            raise ActionError("Only a submitted update can be approved.")
        current.state = WorkflowState.APPROVED
        current.approved_at = timezone.now()
        current.approved_by = by
        current.updated_by = by
        current.version += 1
        current.save()
        on_approve = WORKFLOW_HOOKS.get(type(current), {}).get("on_approve")
        if on_approve:
            on_approve(current, by)
        record(
            by=by,
            verb="update.approve",
            obj=current,
            before={"state": "SUBMITTED"},
            after={"state": "APPROVED"},
        )
        notifications.update_approved(current)
    return current
