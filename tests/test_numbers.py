"""One set of numbers (reporting/numbers.py): the cycle page lists everyone "remind all"
emails; the latest approved update before a cycle is found one way, in fixed queries."""

import datetime
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
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


def _workstream_update(cycle, theme, state, status, governance, name=None):
    workstream = factories.WorkstreamFactory(theme=theme, **({"name": name} if name else {}))
    return factories.WorkstreamUpdateFactory(
        cycle=cycle,
        workstream=workstream,
        overall_status=status,
        **_workflow_fields(state, governance),
    )


@pytest.fixture
def cycle(db):
    return factories.ReportingCycleFactory(
        fy_start_year=2021,
        quarter=2,
        opens_on=datetime.date(2021, 9, 1),
        submission_deadline=timezone.localdate() + datetime.timedelta(days=10),
        review_deadline=timezone.localdate() + datetime.timedelta(days=20),
    )


# --- who still owes what -------------------------------------------------------------------------


def test_the_cycle_page_lists_everyone_remind_all_emails(
    client, governance, lead, cycle, django_capture_on_commit_callbacks
):
    """Someone who owes only a risk review is on the page's list, and is emailed."""
    theme = factories.ThemeFactory(name="Alpha theme")
    update = _workstream_update(cycle, theme, WorkflowState.DRAFT, "", governance)
    update.workstream.leads.add(lead)
    owner = factories.UserFactory(full_name="Rita Riskowner")
    factories.RiskReviewFactory(
        risk=factories.BAFRiskFactory(reference="07", owner=owner), cycle=cycle
    )
    client.force_login(governance)
    html = client.get(cycle.get_absolute_url()).content.decode()
    listed = re.search(r'id="outstanding-leads">(.*?)</table>', html, re.S)[1]
    assert "Rita Riskowner" in listed and "Risk 07 review" in listed
    assert "Lee Lead" in listed
    on_page = set(re.findall(r'id="owed-(\d+)"', listed))

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reporting:cycle_remind", args=[cycle.pk]))
    emailed = {m.to[0] for m in mail.outbox}
    assert emailed == {owner.email, lead.email}
    assert on_page == {str(owner.pk), str(lead.pk)}
    assert set(numbers.owed_by_person(cycle)) == {owner.pk, lead.pk}


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
