"""One set of numbers (reporting/numbers.py): the latest approved update before a cycle is
found one way, in fixed queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reporting import numbers
from reporting.models import WorkstreamUpdate
from reporting.status import WorkflowState

from . import factories


def _workflow_fields(state, governance) -> dict:
    """What the database constraints ask of an update in `state`."""
    fields = {"state": state}
    if state in (WorkflowState.APPROVED, WorkflowState.PUBLISHED):
        fields.update(approved_at=timezone.now(), approved_by=governance)
    if state == WorkflowState.RETURNED:
        fields["review_comment"] = "Please say more."
    return fields


def test_latest_approved_is_the_newest_earlier_approved_one_in_one_query(governance):
    theme = factories.ThemeFactory()
    workstreams = [factories.WorkstreamFactory(theme=theme) for _ in range(4)]
    cycles = [
        factories.ReportingCycleFactory(fy_start_year=fy, quarter=q, status="CLOSED")
        for fy, q in ((2020, 4), (2021, 1), (2021, 2), (2021, 3))
    ]
    now = cycles[-1]
    for workstream in workstreams[:3]:
        for earlier, state in zip(
            cycles,
            (WorkflowState.PUBLISHED, WorkflowState.APPROVED, WorkflowState.RETURNED, "APPROVED"),
            strict=True,
        ):
            factories.WorkstreamUpdateFactory(
                cycle=earlier, workstream=workstream, **_workflow_fields(state, governance)
            )
    wanted = [(w.pk, now) for w in workstreams] + [(workstreams[0].pk, cycles[1])]
    with CaptureQueriesContext(connection) as queries:
        found = numbers.latest_approved(WorkstreamUpdate, wanted, subject="workstream")
    assert len(queries.captured_queries) == 1
    # Q3's own approved update is not "before"; Q2's is returned; so Q1's, for each of three.
    assert {key: row.cycle.label for key, row in found.items()} == {
        (workstreams[0].pk, now.pk): "Q1 2021/22",
        (workstreams[1].pk, now.pk): "Q1 2021/22",
        (workstreams[2].pk, now.pk): "Q1 2021/22",
        (workstreams[0].pk, cycles[1].pk): "Q4 2020/21",
    }
