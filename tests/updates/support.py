"""Set-up helpers shared by the update tests (tests/updates/) and the workflow, permission and
input tests that use updates (no tests here).

A quarter of history is made through the real actions (open, save, submit, approve) so the
pages read what production would; `big_plan` writes a large plan directly for the query-count
tests. The `plan`, `update` and `thread_update` fixtures built with these are in
tests/conftest.py.
"""

import datetime
import json

from django.urls import reverse
from django.utils import timezone

from ics_portal.date_input import DateInputField
from ics_portal.models import ReportingCycle
from ics_portal.periods import Quarter
from ics_portal.status import DeliveryStatus, WorkflowState
from ics_portal.workflow import actions as workflow
from ics_portal.workflow import merge
from reporting import actions
from reporting.forms import form_for
from reporting.models import (
    GoldenThreadUpdate,
    MilestoneProgress,
    ObjectiveProgress,
    WorkstreamUpdate,
)
from reporting.views._access import _update_queryset

from .. import factories
from ..dates import date_fields


def cycle_for(fy: int, quarter: int, *, status=ReportingCycle.Status.DRAFT, deadline=None):
    """A reporting cycle for a quarter; by default its deadline is the quarter's last day."""
    period = Quarter(fy, quarter)
    deadline = deadline or period.end
    return factories.ReportingCycleFactory(
        fy_start_year=fy,
        quarter=quarter,
        opens_on=deadline - datetime.timedelta(days=20),
        submission_deadline=deadline,
        review_deadline=deadline + datetime.timedelta(days=14),
        status=status,
    )


def make_workstream(lead, *, objectives=2, risks=(), milestones=()):
    workstream = factories.WorkstreamFactory(name="DIGITAL", code="DG")
    workstream.leads.add(lead)
    for number in range(1, objectives + 1):
        factories.ObjectiveFactory(workstream=workstream, number=number, text=f"Aim {number}")
    workstream.baf_risks.add(*risks)
    workstream.milestones.add(*milestones)
    return workstream


def approve_quarter(cycle, *, lead, governance, text="<p>Shared care record live.</p>"):
    """Open `cycle`, write, submit and approve every workstream update in it, then close it."""
    actions.open_cycle(cycle=cycle, by=governance)
    for update in WorkstreamUpdate.objects.filter(cycle=cycle):
        update = actions.save_update(
            update=update,
            base_version=update.version,
            by=lead,
            fields={
                "overall_status": DeliveryStatus.ON_TRACK,
                "forecast_status": DeliveryStatus.ON_TRACK,
                "next_quarter_plans": "<p>Roll out to two more practices.</p>",
                "key_risks": "<p>Supplier capacity.</p>",
            },
            objective_progress={row.objective_id: text for row in update.objective_progress.all()},
            milestone_rows={
                row.milestone_id: {"status": DeliveryStatus.ON_TRACK, "note": "Going well"}
                for row in update.milestone_progress.all()
            },
        )
        update = workflow.submit(update=update, by=lead)
        workflow.approve(update=update, by=governance)
    for update in GoldenThreadUpdate.objects.filter(cycle=cycle):
        update = actions.save_update(
            update=update,
            base_version=update.version,
            by=governance,
            fields={"quarter_update": text, "nothing_to_escalate": True},
        )
    actions.close_cycle(cycle=cycle, by=governance)


def load(update):
    """The update as the pages load it (relations prefetched)."""
    kind = "workstream" if isinstance(update, WorkstreamUpdate) else "thread"
    return _update_queryset(kind).get(pk=update.pk)


def kind_of(update) -> str:
    return "workstream" if isinstance(update, WorkstreamUpdate) else "thread"


def url(update, name: str = "update_detail") -> str:
    return reverse(f"reporting:{name}", kwargs={"kind": kind_of(update), "pk": update.pk})


def form_data(update, **changes) -> dict:
    """What the edit form posts for `update` as stored, with `changes` on top (and, like the
    page, the section bases it was drawn with)."""
    loaded = load(update)
    form = form_for(loaded)
    data = {"section_bases": json.dumps(merge.bases_for(loaded))}
    dated = [name for name, field in form.fields.items() if isinstance(field, DateInputField)]
    for name, field in form.fields.items():
        value = form.get_initial_for_field(field, name)
        if name in dated:
            data.update(date_fields(name, value))
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        if value is None:
            value = ""
        if isinstance(value, list):
            data[name] = [str(v) for v in value]
        elif isinstance(value, datetime.date):
            data[name] = value.isoformat()
        else:
            data[name] = str(value)
    for name, value in changes.items():
        if name in dated:
            # A date given whole (or as typed, day, month, year) posts as the date input
            # does; None leaves its keys out.
            for key, text in date_fields(name, value).items():
                if value is None:
                    data.pop(key, None)
                else:
                    data[key] = text
        elif value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def big_plan(*, n_workstreams: int, n_objectives: int, n_cycles: int, lead, governance):
    """`n_workstreams` workstreams (the first led by `lead`) with `n_objectives` objectives
    and three shared milestones each, approved updates in `n_cycles` closed quarters, and an
    open Q3 2030/31 cycle whose updates are pre-filled; written directly for speed."""
    themes = [factories.ThemeFactory() for _ in range(4)]
    milestones = [factories.MilestoneFactory() for _ in range(3)]
    risks = [factories.BAFRiskFactory() for _ in range(3)]
    workstreams = []
    for i in range(n_workstreams):
        workstream = factories.WorkstreamFactory(theme=themes[i % 4])
        workstream.leads.add(lead if i == 0 else factories.UserFactory())
        workstream.deputies.add(factories.UserFactory())
        workstream.milestones.add(*milestones)
        workstream.baf_risks.add(*risks)
        for number in range(1, n_objectives + 1):
            factories.ObjectiveFactory(workstream=workstream, number=number)
        workstreams.append(workstream)
    thread = factories.GoldenThreadFactory()
    thread.system_leads.add(lead)
    now = timezone.now()
    quarter = Quarter(2030, 3)
    for _ in range(n_cycles):
        quarter = quarter.previous()
    for _ in range(n_cycles):
        cycle = cycle_for(quarter.fy_start_year, quarter.number, status="CLOSED")
        for workstream in workstreams:
            update = WorkstreamUpdate.objects.create(
                cycle=cycle,
                workstream=workstream,
                state=WorkflowState.APPROVED,
                overall_status=DeliveryStatus.ON_TRACK,
                forecast_status=DeliveryStatus.AT_RISK,
                status_explanation="Supplier delay.",
                key_risks=f"<p>Risks in {cycle.label}.</p>",
                next_quarter_plans="<ul><li>Plan</li></ul>",
                submitted_at=now,
                approved_at=now,
                approved_by=governance,
                updated_by=lead,
            )
            update.baf_risks.set(risks[:2])
            ObjectiveProgress.objects.bulk_create(
                ObjectiveProgress(
                    update=update, objective=objective, progress=f"<p>{cycle.label} progress</p>"
                )
                for objective in workstream.objectives.all()
            )
            MilestoneProgress.objects.bulk_create(
                MilestoneProgress(
                    update=update, milestone=m, status=DeliveryStatus.ON_TRACK, note="On plan"
                )
                for m in milestones
            )
        GoldenThreadUpdate.objects.create(
            cycle=cycle,
            golden_thread=thread,
            state=WorkflowState.APPROVED,
            quarter_update="<p>Done.</p>",
            submitted_at=now,
            approved_at=now,
            approved_by=governance,
        )
        quarter = quarter.next()
    current = cycle_for(2030, 3)
    actions.open_cycle(cycle=current, by=governance)
    return current, workstreams


def submit(update, lead, **fields):
    """Save `fields` (a valid update by default) and submit, through the actions."""
    values = {
        "overall_status": DeliveryStatus.ON_TRACK,
        "forecast_status": DeliveryStatus.ON_TRACK,
        "nothing_to_escalate": True,
    }
    if isinstance(update, GoldenThreadUpdate):
        values = {"quarter_update": "<p>Done.</p>", "nothing_to_escalate": True}
    values.update(fields)
    saved = actions.save_update(update=update, base_version=update.version, by=lead, fields=values)
    return workflow.submit(update=saved, by=lead)


def approve(update, lead, governance):
    return workflow.approve(update=submit(update, lead), by=governance)
