"""A small world to search (issue 15): two workstreams in two themes led by different people, a
golden thread, two quarters of updates in every workflow state that matters, objectives,
milestones, BAF risks and their reviews, each with words no other text has."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from ics_portal.models import ReportingCycle
from ics_portal.status import WorkflowState

from .. import factories


def approved(governance) -> dict:
    return {"approved_at": timezone.now(), "approved_by": governance}


@pytest.fixture
def world(lead, other_lead, governance):
    q1 = factories.ReportingCycleFactory(
        fy_start_year=2021,
        quarter=1,
        opens_on=datetime.date(2021, 6, 1),
        submission_deadline=datetime.date(2021, 6, 20),
        review_deadline=datetime.date(2021, 7, 7),
        status=ReportingCycle.Status.PUBLISHED,
    )
    q2 = factories.ReportingCycleFactory(
        fy_start_year=2021,
        quarter=2,
        opens_on=datetime.date(2021, 9, 1),
        submission_deadline=datetime.date(2021, 9, 20),
        review_deadline=datetime.date(2021, 10, 7),
        status=ReportingCycle.Status.OPEN,
    )
    care = factories.ThemeFactory(name="Care and wellbeing")
    roles = factories.ThemeFactory(name="System roles")
    digital = factories.WorkstreamFactory(name="DIGITAL", code="DIG", theme=care)
    digital.leads.add(lead)
    workforce = factories.WorkstreamFactory(name="WORKFORCE", code="WF", theme=roles)
    workforce.leads.add(other_lead)
    thread = factories.GoldenThreadFactory(name="Health inequalities")
    thread.system_leads.add(lead)
    risk = factories.BAFRiskFactory(
        reference="07",
        title="Change and uncertainty",
        owner=lead,
        controls="<p>Monthly <strong>cyberattack</strong> drills.</p>",
    )
    other_risk = factories.BAFRiskFactory(
        reference="12", title="Finances", owner=other_lead, description="Budget gap."
    )
    updates = SimpleNamespace(
        # DIGITAL, led by `lead`: published Q1, draft Q2.
        digital_q1=factories.WorkstreamUpdateFactory(
            cycle=q1,
            workstream=digital,
            state=WorkflowState.PUBLISHED,
            overall_status="ON_TRACK",
            next_quarter_plans="<p>Procure the shared care record; telehealth pilot.</p>",
            key_risks="<p>Supplier capacity.</p>",
            **approved(governance),
        ),
        digital_q2=factories.WorkstreamUpdateFactory(
            cycle=q2,
            workstream=digital,
            state=WorkflowState.DRAFT,
            overall_status="AT_RISK",
            status_explanation="Telehealth supplier slipped",
            next_quarter_plans="<p>Draft only: <em>zebrafish</em> telehealth rollout.</p>",
        ),
        # WORKFORCE, led by `other_lead`: approved Q1, draft Q2.
        workforce_q1=factories.WorkstreamUpdateFactory(
            cycle=q1,
            workstream=workforce,
            state=WorkflowState.APPROVED,
            overall_status="DELAYED",
            status_explanation="Recruitment paused",
            next_quarter_plans="<p>International recruitment campaign.</p>",
            **approved(governance),
        ),
        workforce_q2=factories.WorkstreamUpdateFactory(
            cycle=q2,
            workstream=workforce,
            state=WorkflowState.DRAFT,
            next_quarter_plans="<p>Secret <strong>platypus</strong> plan, not yet submitted.</p>",
        ),
        thread_q1=factories.GoldenThreadUpdateFactory(
            cycle=q1,
            golden_thread=thread,
            state=WorkflowState.SUBMITTED,
            quarter_update="<p>Inequalities dashboard built with telehealth data.</p>",
        ),
    )
    objective = factories.ObjectiveFactory(
        workstream=digital, number=1, text="Telehealth available in every practice"
    )
    milestone = factories.MilestoneFactory(title="Telehealth contract signed")
    reviews = SimpleNamespace(
        risk07_q1=factories.RiskReviewFactory(
            risk=risk,
            cycle=q1,
            state=WorkflowState.APPROVED,
            rationale="<p>Telehealth outage risk reassessed.</p>",
            **approved(governance),
        ),
        risk12_q2=factories.RiskReviewFactory(
            risk=other_risk,
            cycle=q2,
            state=WorkflowState.DRAFT,
            rationale="<p>Draft walrus review.</p>",
        ),
    )
    return SimpleNamespace(
        q1=q1,
        q2=q2,
        care=care,
        roles=roles,
        digital=digital,
        workforce=workforce,
        thread=thread,
        risk=risk,
        other_risk=other_risk,
        updates=updates,
        objective=objective,
        milestone=milestone,
        reviews=reviews,
    )
