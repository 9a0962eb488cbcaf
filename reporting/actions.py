"""Every state change of reporting cycles, and how an edit to an update names its sections.

Plain functions with keyword-only arguments and an explicit `by=` user. Each runs in one
transaction, asserts its precondition, writes an AuditEvent in that transaction and queues
its emails to be sent after the commit. Views, commands, the admin and tests call these; none
of them changes an update's state by hand.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from ics_portal.audit import AuditVerb, record
from ics_portal.models import ReportingCycle
from ics_portal.workflow import actions as workflow
from ics_portal.workflow.errors import ActionError, SubmissionInvalid
from ics_portal.workflow.history import latest_approved
from workstreams.models import GoldenThread, Workstream

from . import notifications, search_index
from .kinds import posted_sections
from .models import GoldenThreadUpdate, MilestoneProgress, ObjectiveProgress, WorkstreamUpdate

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
        # Rows made in bulk (progress rows, risk reviews) send no signal: the search index
        # takes the new quarter's texts in one go.
        search_index.index_cycle(cycle)
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
    # With their first history records, so the review page can tell what a row held when
    # the update was returned (reporting/review.py).
    bulk_create_with_history(
        [
            ObjectiveProgress(update=update, objective=o, progress=last_progress.get(o.pk, ""))
            for o in workstream.objectives.all()
            if o.active
        ],
        ObjectiveProgress,
    )
    bulk_create_with_history(
        [
            MilestoneProgress(
                update=update,
                milestone=m,
                status=last_milestones[m.pk].status if m.pk in last_milestones else "",
                revised_date=last_milestones[m.pk].revised_date
                if m.pk in last_milestones
                else None,
                note=last_milestones[m.pk].note if m.pk in last_milestones else "",
            )
            for m in workstream.milestones.all()
        ],
        MilestoneProgress,
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
        if cycle.status == ReportingCycle.Status.PUBLISHED:
            raise ActionError(
                f"The {cycle.label} board pack has been published, so the cycle cannot be "
                "reopened. Give the updates still owed an extension instead, or withdraw the "
                "published pack first."
            )
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
# The workflow's state changes (submit, withdraw, return, approve, extend, reopen) are the same
# for every reviewed kind: ics_portal/workflow/actions.py. What is particular to updates is how
# an edit names its sections (objective progress, milestone rows, linked risks and objectives).


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
    """Save edits to an update as a whole, based on `base_version` (imports, the admin,
    scripts); refused as stale when the stored version is newer. The edit form merges section
    by section through `merge_edits` instead."""
    sections = posted_sections(
        fields=fields,
        objective_progress=objective_progress,
        milestone_rows=milestone_rows,
        baf_risks=baf_risks,
        objectives=objectives,
    )
    return workflow.save(update=update, by=by, sections=sections, base_version=base_version)


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
) -> workflow.MergeResult:
    """Save the sections of an update the person changed from their form's `bases`; a
    section someone else changed too comes back as a conflict (ADR 0005)."""
    sections = posted_sections(
        fields=fields,
        objective_progress=objective_progress,
        milestone_rows=milestone_rows,
        baf_risks=baf_risks,
        objectives=objectives,
    )
    return workflow.merge_edits(
        update=update, by=by, bases=bases, sections=sections, resolutions=resolutions
    )
