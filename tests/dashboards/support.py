"""Set-up helpers for tests/dashboards/ (no tests here). Updates are written directly in the
state a test needs (the workflow itself is tested in tests/workflow/); what the dashboards
show is read back from the pages."""

import datetime

from django.utils import timezone

from ics_portal.models import ReportingCycle
from ics_portal.status import WorkflowState
from reporting.models import WorkstreamUpdate
from tests.risks.support import bulk_history, quarters

from .. import factories

APPROVED_ON = timezone.make_aware(datetime.datetime(2021, 7, 5, 12, 0))


def update(
    cycle,
    workstream,
    status="ON_TRACK",
    *,
    state=WorkflowState.APPROVED,
    by=None,
    forecast=None,
    approved_at=APPROVED_ON,
):
    """`workstream`'s update in `cycle` in `state`; approved ones carry who and when."""
    approved = state in (WorkflowState.APPROVED, WorkflowState.PUBLISHED)
    return WorkstreamUpdate.objects.create(
        cycle=cycle,
        workstream=workstream,
        overall_status=status,
        forecast_status=forecast if forecast is not None else status,
        state=state,
        approved_at=approved_at if approved else None,
        approved_by=by if approved else None,
    )


def world(n_workstreams: int, n_quarters: int, n_risks: int, *, governance):
    """`n_workstreams` workstreams over 3 themes, each with an approved update in each of
    `n_quarters` closed quarters (status cycling through the words), and `n_risks` risks with
    an accepted review in every quarter. For the query-count tests."""
    cycles = quarters(n_quarters)
    themes = [factories.ThemeFactory() for _ in range(3)]
    thread = factories.GoldenThreadFactory()
    organisation = factories.OrganisationFactory()
    words = ["ON_TRACK", "AT_RISK", "DELAYED", "COMPLETE", "NOT_STARTED", "PAUSED"]
    rows = []
    for i in range(n_workstreams):
        workstream = factories.WorkstreamFactory(theme=themes[i % 3])
        lead = factories.UserFactory(organisation=organisation)
        workstream.leads.add(lead)
        workstream.golden_threads.add(thread)
        milestone = factories.MilestoneFactory(due_date=cycles[-1].period.end)
        workstream.milestones.add(milestone)
        for j, cycle in enumerate(cycles):
            rows.append(
                WorkstreamUpdate(
                    cycle=cycle,
                    workstream=workstream,
                    overall_status=words[(i + j) % len(words)],
                    forecast_status=words[(i + j + 1) % len(words)],
                    state=WorkflowState.APPROVED,
                    approved_at=APPROVED_ON,
                    approved_by=governance,
                )
            )
    WorkstreamUpdate.objects.bulk_create(rows)
    risks = [factories.BAFRiskFactory(current_likelihood=i % 5 + 1) for i in range(n_risks)]
    bulk_history(risks, cycles, governance=governance, score=lambda r, i: (i % 5 + 1, 3))
    # The newest quarter open, as when a cycle is under way.
    ReportingCycle.objects.filter(pk=cycles[-1].pk).update(status=ReportingCycle.Status.OPEN)
    return cycles
