"""Every state change of reporting cycles and updates.

Plain functions with keyword-only arguments and an explicit `by=` user. Each runs in one
transaction, asserts its precondition, writes an AuditEvent in that transaction and queues
its emails to be sent after the commit. Views, commands, the admin and tests call these; none
of them changes an update's state by hand.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ics_portal.audit import AuditVerb, record
from ics_portal.models import ReportingCycle
from ics_portal.permissions import closed_window_message
from ics_portal.richtext import html_to_text, sanitise_html
from ics_portal.roles import is_governance
from ics_portal.status import NEEDS_EXPLANATION, DeliveryStatus, WorkflowState
from ics_portal.workflow.errors import ActionError, StaleUpdateError, SubmissionInvalid
from ics_portal.workflow.signals import approved_work_reopened
from ics_portal.workflow.states import EDITABLE_STATES, cycle_is_live, leads_window_open
from workstreams.models import GoldenThread, Workstream

from . import merge, notifications
from .models import GoldenThreadUpdate, MilestoneProgress, ObjectiveProgress, WorkstreamUpdate
from .numbers import latest_approved
from .review import review_sections

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
        record(by=by, verb=AuditVerb.CYCLE_CREATE, obj=cycle)
    return cycle


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
        workstreams = list(
            Workstream.objects.filter(active=True).prefetch_related(
                "objectives", "milestones", "baf_risks"
            )
        )
        # Each new update starts from its subject's latest approved one (a fixed number of
        # queries however many workstreams and threads there are).
        last_workstream = latest_approved(
            WorkstreamUpdate,
            [(w.pk, cycle) for w in workstreams],
            subject="workstream",
            prefetch=["objective_progress", "milestone_progress", "baf_risks"],
        )
        for workstream in workstreams:
            last = last_workstream.get((workstream.pk, cycle.pk))
            created += _create_workstream_update(cycle=cycle, workstream=workstream, last=last)
        threads = list(GoldenThread.objects.filter(active=True))
        last_thread = latest_approved(
            GoldenThreadUpdate,
            [(t.pk, cycle) for t in threads],
            subject="golden_thread",
            prefetch=["baf_risks", "objectives"],
        )
        for thread in threads:
            last = last_thread.get((thread.pk, cycle.pk))
            created += _create_golden_thread_update(cycle=cycle, thread=thread, last=last)
        # Risk reviews are opened by the risks app in the same transaction.
        from risks.actions import open_risk_reviews

        open_risk_reviews(cycle=cycle, by=by)
        record(by=by, verb=AuditVerb.CYCLE_OPEN, obj=cycle, after={"updates_created": created})
        notifications.cycle_opened(cycle)
    return cycle


def _create_workstream_update(*, cycle, workstream, last) -> bool:
    """Create `workstream`'s update in `cycle` from `last` (its latest approved one, or None);
    False when it already has one."""
    if WorkstreamUpdate.objects.filter(cycle=cycle, workstream=workstream).exists():
        return False
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
    return True


def _create_golden_thread_update(*, cycle, thread, last) -> bool:
    """Create `thread`'s update in `cycle` from `last` (or None); False when it has one."""
    if GoldenThreadUpdate.objects.filter(cycle=cycle, golden_thread=thread).exists():
        return False
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
    return True


def close_cycle(*, cycle: ReportingCycle, by) -> ReportingCycle:
    """Close an open cycle to further submissions."""
    with transaction.atomic():
        cycle = ReportingCycle.objects.select_for_update().get(pk=cycle.pk)
        if cycle.status != ReportingCycle.Status.OPEN:
            raise ActionError("Only an open cycle can be closed.")
        cycle.status = ReportingCycle.Status.CLOSED
        cycle.save(update_fields=["status"])
        record(by=by, verb=AuditVerb.CYCLE_CLOSE, obj=cycle)
    return cycle


def reopen_cycle(
    *, cycle: ReportingCycle, by, reason: str, submission_deadline: date | None = None
) -> ReportingCycle:
    """Governance reopens a closed cycle to submissions (reason required, audited), optionally
    with a new submission deadline, and emails everyone who still owes an update or a risk
    review in it. Approved and published updates stay locked."""
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = "Enter why the cycle is being reopened"
    if submission_deadline is not None and submission_deadline < timezone.localdate():
        errors["submission_deadline"] = "The new submission deadline must be today or later"
    if errors:
        raise SubmissionInvalid(errors)
    with transaction.atomic():
        cycle = ReportingCycle.objects.select_for_update().get(pk=cycle.pk)
        if cycle.status != ReportingCycle.Status.CLOSED:
            raise ActionError(
                "Only a closed cycle can be reopened; this one is "
                f"{cycle.get_status_display().lower()}."
            )
        if submission_deadline is not None and submission_deadline < cycle.opens_on:
            raise SubmissionInvalid(
                {"submission_deadline": "The new submission deadline must be after opening"}
            )
        before = {
            "status": cycle.status,
            "submission_deadline": cycle.submission_deadline.isoformat(),
            "review_deadline": cycle.review_deadline.isoformat(),
        }
        cycle.status = ReportingCycle.Status.OPEN
        if submission_deadline is not None:
            cycle.submission_deadline = submission_deadline
            # The review deadline is never before the submission deadline (a constraint).
            cycle.review_deadline = max(cycle.review_deadline, submission_deadline)
        cycle.save(update_fields=["status", "submission_deadline", "review_deadline"])
        record(
            by=by,
            verb=AuditVerb.CYCLE_REOPEN,
            obj=cycle,
            before=before,
            after={
                "status": cycle.status,
                "submission_deadline": cycle.submission_deadline.isoformat(),
                "review_deadline": cycle.review_deadline.isoformat(),
            },
            comment=reason,
        )
        notifications.cycle_reopened(cycle, reason=reason)
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


def editable_fields(update) -> tuple[str, ...]:
    """The fields a lead (or governance) writes in this kind of update."""
    if isinstance(update, WorkstreamUpdate):
        return WORKSTREAM_UPDATE_FIELDS
    if isinstance(update, GoldenThreadUpdate):
        return GOLDEN_THREAD_UPDATE_FIELDS
    return tuple(WORKFLOW_HOOKS.get(type(update), {}).get("fields", ()))


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
    from "not started" to "draft". The edit form saves through `merge_edits` instead, which
    merges section by section.
    """
    posted = merge.posted_sections(
        fields=fields,
        objective_progress=objective_progress,
        milestone_rows=milestone_rows,
        baf_risks=baf_risks,
        objectives=objectives,
    )
    current, _ = _save_sections(update=update, by=by, posted=posted, base_version=base_version)
    return current


@dataclass
class MergeResult:
    """What `merge_edits` did: the update as stored now, and the merge plan it carried out
    (the sections written, the conflicts left for the person to choose, the sections someone
    else changed meanwhile, and the bases of the person's form from now on)."""

    update: Any
    plan: merge.Plan

    @property
    def saved(self) -> bool:
        return bool(self.plan.write)


def merge_edits(
    *,
    update,
    by,
    bases: dict[str, str],
    fields: dict[str, Any],
    objective_progress: dict[int, str] | None = None,
    milestone_rows: dict[int, dict[str, Any]] | None = None,
    baf_risks=None,
    objectives=None,
    resolutions: dict[str, tuple[str, str]] | None = None,
) -> MergeResult:
    """Save the sections of an update that the person changed from their form's `bases`
    (reporting/merge.py, ADR 0005). A section someone else changed too is not written: it
    comes back as a conflict for the person to choose, with `resolutions` on the next save.
    Sections the person did not change are never written."""
    posted = merge.posted_sections(
        fields=fields,
        objective_progress=objective_progress,
        milestone_rows=milestone_rows,
        baf_risks=baf_risks,
        objectives=objectives,
    )
    current, plan = _save_sections(
        update=update, by=by, posted=posted, bases=bases, resolutions=resolutions
    )
    return MergeResult(update=current, plan=plan)


def _save_sections(*, update, by, posted, bases=None, base_version=None, resolutions=None):
    """Lock the update, merge `posted` into it and write what the merge says. With
    `base_version` (save_update) the whole update must be that version, and the person is taken
    to have seen every section as stored; otherwise `bases` say what they saw (merge_edits)."""
    with transaction.atomic():
        current = _locked(update)
        if base_version is not None and current.version != base_version:
            raise StaleUpdateError(current)
        _check_editable(current, by)
        stored = merge.stored_sections(current)
        if bases is None:
            bases = {key: merge.fingerprint(stored.get(key)) for key in posted}
        plan = merge.plan_save(
            posted=posted,
            stored=stored,
            bases=bases,
            resolutions=resolutions,
            edits=current.section_edits,
            fallback_by=current.updated_by,
            by=by,
        )
        # save_update always counts as a save (version and audit); the form's merge only when
        # it wrote something, or to start the draft.
        always = base_version is not None or current.state == WorkflowState.NOT_STARTED
        _write(current, plan.write, by=by, always=always)
    return current, plan


def _check_editable(current, by) -> None:
    if current.state not in EDITABLE_STATES and current.state != WorkflowState.SUBMITTED:
        raise ActionError(
            f"This update is {current.state_label.lower()} and can no longer be edited."
        )
    # Governance may correct an update in a closed cycle; leads only while their window is
    # open (ADR 0006). The views ask the same through "update.edit".
    if not is_governance(by) and not leads_window_open(current):
        raise ActionError(closed_window_message(current))


def _write(current, sections: dict[str, Any], *, by, always: bool) -> None:
    """Write `sections` (by merge key) to the locked `current`, bump its version and audit the
    change; with nothing to write, only when `always` (a first save still starts the draft)."""
    if not sections and not always:
        return
    field_names = set(editable_fields(current))
    _validate_values(type(current), {k: v for k, v in sections.items() if k in field_names})
    for key, values in sections.items():
        if key.startswith("milestone_"):
            _validate_values(MilestoneProgress, values)
    changed_fields = [key for key in sections if key in field_names]
    before = _snapshot(current, changed_fields)
    for name in changed_fields:
        setattr(current, name, sections[name])
    changed = list(changed_fields)
    progress = {
        int(key.removeprefix("objective_")): value
        for key, value in sections.items()
        if key.startswith("objective_")
    }
    rows = {
        int(key.removeprefix("milestone_")): value
        for key, value in sections.items()
        if key.startswith("milestone_")
    }
    if progress:
        changed += _save_objective_progress(current, progress)
    if rows:
        changed += _save_milestone_rows(current, rows)
    if "baf_risks" in sections:
        current.baf_risks.set(sections["baf_risks"])
        changed.append("baf_risks")
    if "objectives" in sections:
        current.objectives.set(sections["objectives"])
        changed.append("objectives")
    if current.state == WorkflowState.NOT_STARTED:
        current.state = WorkflowState.DRAFT
    current.version += 1
    current.updated_by = by
    now = timezone.now()
    edits = dict(current.section_edits or {})
    for key in sections:
        edits[key] = {"by": by.pk, "name": by.full_name or by.email, "at": now.isoformat()}
    current.section_edits = edits
    current.save()
    record(
        by=by,
        verb=AuditVerb.UPDATE_SAVE,
        obj=current,
        before=before,
        after={
            **_snapshot(current, changed_fields),
            "changed": changed,
            "version": current.version,
        },
    )


def _validate_values(model, values: dict[str, Any]) -> None:
    """The model's own validators on what is about to be saved (a date outside the portal's
    range, ics_portal/dates.py), whoever calls: the forms check first, imports and scripts
    meet them here."""
    for name, value in values.items():
        try:
            model._meta.get_field(name).run_validators(value)
        except ValidationError as error:
            raise ActionError("; ".join(error.messages)) from None


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


def register_workflow_hooks(model, *, validate=None, on_approve=None, fields=()) -> None:
    WORKFLOW_HOOKS[model] = {"validate": validate, "on_approve": on_approve, "fields": fields}


def validate_for_submission(update) -> dict[str, str]:
    """What must be true before an update can be submitted: a status (and a forecast), an
    explanation for At risk or Delayed, key risks or "nothing new to escalate", and a revised
    date or a reason for a milestone past its date and not complete."""
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


def _leads_window_refusal(current) -> str:
    """Why the leads may not act on `current` now (their window is shut)."""
    cycle = current.cycle
    if cycle.status == ReportingCycle.Status.CLOSED:
        return closed_window_message(current)
    return (
        f"The {cycle.label} reporting cycle is not open for submissions; it is "
        f"{cycle.get_status_display().lower()}."
    )


def _refuse_unless_live(current) -> None:
    """Governance reviews in open and closed cycles; a draft or published cycle is refused."""
    if not cycle_is_live(current.cycle):
        cycle = current.cycle
        raise ActionError(
            f"The {cycle.label} reporting cycle is {cycle.get_status_display().lower()}; "
            "its updates cannot change."
        )


def _checked_date(value: date | None, *, required: bool, errors: dict[str, str]) -> date | None:
    """The date the leads have until (an extension), which is today or later."""
    if value is None:
        if required:
            errors["extended_until"] = (
                "The cycle is closed: enter the date the leads have until to submit it"
            )
        return None
    if value < timezone.localdate():
        errors["extended_until"] = "The date the leads have until must be today or later"
    return value


def _set_extension(current, *, until: date | None, reason: str, by) -> None:
    current.extended_until = until
    current.extension_reason = reason if until else ""
    current.extended_by = by if until else None


def submit_update(*, update, by):
    """Submit a draft or returned update for governance review: while the cycle is open, or
    after it closed while governance's extension for the update lasts."""
    with transaction.atomic():
        current = _locked(update)
        if current.state not in EDITABLE_STATES:
            raise ActionError(
                f"This update is {current.state_label.lower()}; it cannot be submitted."
            )
        if not leads_window_open(current):
            raise ActionError(_leads_window_refusal(current))
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
            verb=AuditVerb.UPDATE_SUBMIT,
            obj=current,
            before={"state": before},
            after={"state": current.state},
        )
        notifications.update_submitted(current)
    return current


def withdraw_update(*, update, by):
    """The lead takes back a submission that has not been reviewed yet, while they could still
    submit it again (the cycle is open, or their extension lasts): a withdrawal after the
    cycle closed would leave a draft nobody could move."""
    with transaction.atomic():
        current = _locked(update)
        if current.state != WorkflowState.SUBMITTED:
            raise ActionError(
                "Only a submitted update that has not been reviewed can be withdrawn."
            )
        if not leads_window_open(current):
            raise ActionError(_leads_window_refusal(current))
        current.state = WorkflowState.DRAFT
        current.updated_by = by
        current.version += 1
        current.save()
        record(
            by=by,
            verb=AuditVerb.UPDATE_WITHDRAW,
            obj=current,
            before={"state": "SUBMITTED"},
            after={"state": "DRAFT"},
        )
    return current


def return_update(
    *,
    update,
    by,
    comment: str,
    sections: list[str] | None = None,
    extended_until: date | None = None,
):
    """Governance returns a submitted update to its lead with comments (required) and,
    optionally, the keys of the sections to change (reporting.review.review_sections).

    In a closed cycle the lead could not resubmit, so a date they have until is required
    (`extended_until`, today or later): the return carries an extension."""
    comment = (comment or "").strip()
    errors = {}
    if not comment:
        errors["comment"] = "Enter comments for the lead explaining what to change"
    sections = _checked_sections(update, sections or [], errors)
    closed = update.cycle.status == ReportingCycle.Status.CLOSED
    _checked_date(extended_until, required=closed, errors=errors)
    if errors:
        raise SubmissionInvalid(errors)
    with transaction.atomic():
        current = _locked(update)
        if current.state != WorkflowState.SUBMITTED:
            raise ActionError("Only a submitted update can be returned.")
        _refuse_unless_live(current)
        if current.cycle.status == ReportingCycle.Status.CLOSED and extended_until is None:
            raise SubmissionInvalid(_checked_date_errors(required=True))
        if extended_until is not None:
            _set_extension(current, until=extended_until, reason=comment, by=by)
        current.state = WorkflowState.RETURNED
        current.review_comment = comment
        current.returned_sections = sections
        current.returned_at = timezone.now()
        current.updated_by = by
        current.version += 1
        current.save()
        after = {"state": "RETURNED", "sections": sections}
        if extended_until is not None:
            after["extended_until"] = extended_until.isoformat()
        record(
            by=by,
            verb=AuditVerb.UPDATE_RETURN,
            obj=current,
            before={"state": "SUBMITTED"},
            after=after,
            comment=comment,
        )
        notifications.update_returned(current, comment=comment)
    return current


def _checked_sections(update, keys: list[str], errors: dict[str, str]) -> list[str]:
    """`keys` in the order of the update's form, or an error naming the ones it does not have."""
    if not keys:
        return []
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
    """Governance approves a submitted update, in an open or closed cycle (reviewing after the
    deadline is normal); it is read-only from then on and any extension has done its job."""
    with transaction.atomic():
        current = _locked(update)
        if current.state != WorkflowState.SUBMITTED:
            raise ActionError("Only a submitted update can be approved.")
        _refuse_unless_live(current)
        _set_extension(current, until=None, reason="", by=None)
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
            verb=AuditVerb.UPDATE_APPROVE,
            obj=current,
            before={"state": "SUBMITTED"},
            after={"state": "APPROVED"},
        )
        notifications.update_approved(current)
    return current


# --- unblocking one update after the cycle closes ---------------------------------------------


def extend_update(*, update, by, until: date, reason: str):
    """Governance gives one update (or risk review) not yet submitted a late-submission
    extension while its cycle stays closed: its leads may change and submit it until the end
    of `until`. Reason required; audited; the leads are emailed. Giving a new date replaces
    the old one."""
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = "Enter why the extension is being given"
    _checked_date(until, required=True, errors=errors)
    if errors:
        raise SubmissionInvalid(errors)
    with transaction.atomic():
        current = _locked(update)
        noun = _noun(current)
        if current.state not in EDITABLE_STATES:
            raise ActionError(
                f"Only a {noun} that has not been submitted can be given an extension; this "
                f"one is {current.state_label.lower()}."
            )
        if current.cycle.status != ReportingCycle.Status.CLOSED:
            _refuse_unless_live(current)
            raise ActionError(
                f"The {current.cycle.label} cycle is open, so the leads can still submit until "
                "the deadline: no extension is needed."
            )
        before = {"extended_until": _plain(current.extended_until)}
        _set_extension(current, until=until, reason=reason, by=by)
        current.save(update_fields=["extended_until", "extension_reason", "extended_by"])
        record(
            by=by,
            verb=AuditVerb.UPDATE_EXTEND,
            obj=current,
            before=before,
            after={"extended_until": until.isoformat(), "state": current.state},
            comment=reason,
        )
        notifications.update_extended(current, reason=reason)
    return current


def reopen_update(*, update, by, reason: str, extended_until: date | None = None):
    """Governance sends an approved update (or accepted risk review) that is not yet in a
    published board pack back to its leads, as returned with `reason` as the comment. In a
    closed cycle `extended_until` (the date the leads have until) is required. Any generated
    draft board pack of the cycle is discarded: it showed this update as approved."""
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = "Enter why the approved update is being reopened"
    closed = update.cycle.status == ReportingCycle.Status.CLOSED
    _checked_date(extended_until, required=closed, errors=errors)
    if errors:
        raise SubmissionInvalid(errors)
    with transaction.atomic():
        current = _locked(update)
        noun = _noun(current)
        if current.state == WorkflowState.PUBLISHED:
            raise ActionError(
                f"This {noun} is in a published board pack, so it is locked for good. Record "
                f"any correction in next quarter's {noun}."
            )
        if current.state != WorkflowState.APPROVED:
            raise ActionError(
                f"Only an approved {noun} can be reopened; this one is "
                f"{current.state_label.lower()}."
            )
        _refuse_unless_live(current)
        if current.cycle.status == ReportingCycle.Status.CLOSED and extended_until is None:
            raise SubmissionInvalid(_checked_date_errors(required=True))
        before = {
            "state": current.state,
            "approved_by": current.approved_by.full_name if current.approved_by else None,
            "approved_at": current.approved_at.isoformat() if current.approved_at else None,
        }
        if extended_until is not None:
            _set_extension(current, until=extended_until, reason=reason, by=by)
        current.state = WorkflowState.RETURNED
        current.review_comment = reason
        current.returned_sections = []
        current.returned_at = timezone.now()
        current.approved_at = None
        current.approved_by = None
        current.updated_by = by
        current.version += 1
        current.save()
        after = {"state": current.state}
        discarded = _discard_generated_packs(current.cycle)
        if discarded:
            after["board_pack_drafts_discarded"] = discarded
        if extended_until is not None:
            after["extended_until"] = extended_until.isoformat()
        record(
            by=by,
            verb=AuditVerb.UPDATE_REOPEN,
            obj=current,
            before=before,
            after=after,
            comment=reason,
        )
        notifications.update_returned(current, comment=reason, reopened=True)
    return current


def _checked_date_errors(*, required: bool) -> dict[str, str]:
    errors: dict[str, str] = {}
    _checked_date(None, required=required, errors=errors)
    return errors


def _noun(update) -> str:
    return "risk review" if update._meta.label == "risks.RiskReview" else "update"


def _discard_generated_packs(cycle) -> int:
    """Tell the layers above that approved work of `cycle` reopened; how many drafts went."""
    responses = approved_work_reopened.send(sender=None, cycle=cycle)
    return sum(count for _, count in responses if isinstance(count, int))
