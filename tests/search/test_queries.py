"""A search answers in the same number of queries however much is indexed (issue 15,
Performance): counting, one page of matches, their documents, and the page's own few."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ics_portal.status import WorkflowState

from .. import factories

pytestmark = pytest.mark.django_db


def _queries(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("search"), params)
    assert response.status_code == 200
    return len(queries)


def _more_history(lead, quarters: int, workstreams: int):
    """Quarters of updates (some the lead's drafts, most approved) and objectives that all
    mention the searched word."""
    governance = factories.UserFactory()
    for year in range(2010, 2010 + quarters // 4 + 1):
        for quarter in range(1, 5):
            cycle = factories.ReportingCycleFactory(fy_start_year=year, quarter=quarter)
            for n in range(workstreams):
                workstream, _ = factories.WorkstreamFactory._meta.model.objects.get_or_create(
                    code=f"H{n}",
                    defaults={"name": f"HISTORY {n}", "theme": factories.ThemeFactory()},
                )
                workstream.leads.add(lead)
                factories.WorkstreamUpdateFactory(
                    cycle=cycle,
                    workstream=workstream,
                    state=WorkflowState.APPROVED if n % 3 else WorkflowState.DRAFT,
                    approved_at=cycle.created_at if n % 3 else None,
                    approved_by=governance if n % 3 else None,
                    next_quarter_plans=f"<p>Telehealth work, quarter {quarter} of {year}.</p>",
                    overall_status="ON_TRACK",
                )


@pytest.mark.parametrize("role", ["lead", "board_member", "governance"])
def test_the_query_count_does_not_grow_with_the_data(client, world, role, request):
    user = request.getfixturevalue(role)
    client.force_login(user)
    params = {"q": "telehealth", "kind": "", "status": ""}
    client.get(reverse("search"), params)  # the session's first-use queries
    small = _queries(client, params)
    _more_history(request.getfixturevalue("lead"), quarters=12, workstreams=8)
    large = _queries(client, params)
    assert large == small <= 16
    assert _queries(client, {**params, "page": 2}) == small
    filtered = _queries(client, {**params, "quarter": world.q1.pk, "status": "ON_TRACK"})
    assert filtered == small
