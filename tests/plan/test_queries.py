"""The plan pages read in a fixed number of queries: the same bound holds for a small plan (3
workstreams, 2 quarters) and a large one (12 workstreams, 8 quarters), and for a comparison."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ics_portal.models import ReportingCycle

from ..updates.support import big_plan

# The page's own queries plus the session, user, roles and the layout's navigation, measured
# on SQLite and PostgreSQL with both sizes of plan.
MAX = {
    "index": 12,
    "theme": 11,
    "thread": 17,
    "workstream": 23,  # 3 of them find the newest update the reader may open (reading.py)
    "organisation": 15,
}


@pytest.fixture(params=[(3, 2), (12, 8)], ids=["small", "large"])
def sized_plan(request, lead, governance):
    n_workstreams, n_cycles = request.param
    _, workstreams = big_plan(
        n_workstreams=n_workstreams,
        n_objectives=3,
        n_cycles=n_cycles,
        lead=lead,
        governance=governance,
    )
    thread = lead.led_golden_threads.get()
    for workstream in workstreams:
        workstream.golden_threads.add(thread)
    return workstreams, thread, n_cycles


def _pages(workstreams, thread, lead):
    workstream = workstreams[0]
    cycles = list(
        ReportingCycle.objects.filter(status="CLOSED").order_by("fy_start_year", "quarter")
    )
    compare = {"before": cycles[0].pk, "after": cycles[-1].pk}
    return [
        ("index", reverse("plan:index"), {}),
        ("theme", workstream.theme.get_absolute_url(), {}),
        ("thread", thread.get_absolute_url(), {}),
        ("thread", thread.get_absolute_url(), compare),
        ("workstream", workstream.get_absolute_url(), {}),
        ("workstream", workstream.get_absolute_url(), {"quarter": cycles[0].pk, **compare}),
        ("organisation", lead.organisation.get_absolute_url(), {}),
    ]


def test_every_plan_page_reads_in_fixed_queries(client, board_member, lead, sized_plan):
    workstreams, thread, n_cycles = sized_plan
    client.force_login(board_member)
    for name, url, params in _pages(workstreams, thread, lead):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
        assert response.status_code == 200, url
        assert len(queries) <= MAX[name], (name, params, len(queries))
    html = client.get(workstreams[0].get_absolute_url()).content.decode()
    assert html.count('<tr class="nhsuk-table__row') >= n_cycles
