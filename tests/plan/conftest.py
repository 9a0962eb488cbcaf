"""A small plan with history for the plan pages' tests: DIGITAL (led by `lead` of PT-A, deputy
of PT-B) has approved Q1 and Q2 2021/22 updates and a draft Q3 one; WORKFORCE (same theme) has
an approved Q1 and a submitted, not yet approved, Q2; a golden thread on DIGITAL has an
approved Q1 update and a draft Q2 one. Every text that must never show is marked SECRET."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from ics_portal.status import DeliveryStatus, WorkflowState
from reporting.models import (
    GoldenThreadUpdate,
    MilestoneProgress,
    ObjectiveProgress,
    WorkstreamUpdate,
)

from .. import factories
from ..updates.support import cycle_for

APPROVED, SUBMITTED, DRAFT = WorkflowState.APPROVED, WorkflowState.SUBMITTED, WorkflowState.DRAFT


def workstream_update(cycle, workstream, state, *, status, forecast, text, governance, **extra):
    """An update written straight to the database in `state`, with objective progress and
    milestone rows (the workflow itself is tested elsewhere)."""
    approved = state == APPROVED
    update = WorkstreamUpdate.objects.create(
        cycle=cycle,
        workstream=workstream,
        state=state,
        overall_status=status,
        forecast_status=forecast,
        status_explanation=extra.get("explanation", ""),
        next_quarter_plans=f"<p>Plans: {text}</p>",
        key_risks=f"<p>Risks: {text}</p>",
        submitted_at=timezone.now() if state != DRAFT else None,
        approved_at=timezone.now() if approved else None,
        approved_by=governance if approved else None,
    )
    for objective in workstream.objectives.all():
        ObjectiveProgress.objects.create(
            update=update, objective=objective, progress=f"<p>{text}</p>"
        )
    for milestone, milestone_status in extra.get("milestones", {}).items():
        MilestoneProgress.objects.create(
            update=update, milestone=milestone, status=milestone_status
        )
    update.baf_risks.set(extra.get("risks", []))
    return update


@pytest.fixture
def history(lead, other_lead, governance):
    org_a = factories.OrganisationFactory(name="Partner A Trust", short_name="PT-A")
    org_b = factories.OrganisationFactory(name="Partner B Council", short_name="PT-B")
    lead.organisation = org_a
    lead.save()
    deputy = factories.UserFactory(full_name="Dee Deputy", organisation=org_b)
    theme = factories.ThemeFactory(name="System and digital")
    theme.leads.add(lead)
    digital = factories.WorkstreamFactory(theme=theme, name="DIGITAL", code="DG")
    digital.leads.add(lead)
    digital.deputies.add(deputy)
    factories.ObjectiveFactory(workstream=digital, number=1, text="Shared care record")
    milestone = factories.MilestoneFactory(
        title="Record procured", due_date=datetime.date(2021, 9, 30)
    )
    digital.milestones.add(milestone)
    risk = factories.BAFRiskFactory(reference="07", title="Change and uncertainty", owner=lead)
    digital.baf_risks.add(risk)
    workforce = factories.WorkstreamFactory(theme=theme, name="WORKFORCE", code="WF")
    workforce.leads.add(other_lead)
    thread = factories.GoldenThreadFactory(name="Health inequalities")
    thread.system_leads.add(lead)
    digital.golden_threads.add(thread)
    thread_risk = factories.BAFRiskFactory(reference="12", title="Inequalities widen")

    q1 = cycle_for(2021, 1, status="CLOSED")
    q2 = cycle_for(2021, 2, status="CLOSED")
    q3 = cycle_for(2021, 3, status="OPEN")
    on_track, at_risk = DeliveryStatus.ON_TRACK, DeliveryStatus.AT_RISK
    common = {"governance": governance}
    digital_q1 = workstream_update(
        q1,
        digital,
        APPROVED,
        status=on_track,
        forecast=on_track,
        text="The record went live in two practices.",
        milestones={milestone: on_track},
        **common,
    )
    digital_q2 = workstream_update(
        q2,
        digital,
        APPROVED,
        status=at_risk,
        forecast=DeliveryStatus.DELAYED,
        text="The record went live in five practices.",
        milestones={milestone: DeliveryStatus.DELAYED},
        risks=[risk],
        explanation="Supplier capacity.",
        **common,
    )
    digital_q3 = workstream_update(
        q3,
        digital,
        DRAFT,
        status=DeliveryStatus.COMPLETE,
        forecast=DeliveryStatus.COMPLETE,
        text="SECRET draft text.",
        milestones={milestone: DeliveryStatus.COMPLETE},
        **common,
    )
    workstream_update(
        q1, workforce, APPROVED, status=on_track, forecast=on_track, text="Rota agreed.", **common
    )
    workstream_update(
        q2,
        workforce,
        SUBMITTED,
        status=DeliveryStatus.DELAYED,
        forecast=DeliveryStatus.DELAYED,
        text="SECRET submitted text.",
        **common,
    )
    thread_q1 = GoldenThreadUpdate.objects.create(
        cycle=q1,
        golden_thread=thread,
        state=APPROVED,
        overall_status=on_track,
        quarter_update="<p>Thread work began.</p>",
        approved_at=timezone.now(),
        approved_by=governance,
    )
    thread_q1.baf_risks.add(thread_risk)
    GoldenThreadUpdate.objects.create(
        cycle=q2,
        golden_thread=thread,
        state=DRAFT,
        overall_status=DeliveryStatus.DELAYED,
        quarter_update="<p>SECRET thread draft.</p>",
    )
    return SimpleNamespace(
        org_a=org_a,
        org_b=org_b,
        deputy=deputy,
        theme=theme,
        digital=digital,
        workforce=workforce,
        thread=thread,
        risk=risk,
        thread_risk=thread_risk,
        milestone=milestone,
        q1=q1,
        q2=q2,
        q3=q3,
        digital_q1=digital_q1,
        digital_q2=digital_q2,
        digital_q3=digital_q3,
    )
