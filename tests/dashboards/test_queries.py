"""The dashboards' query counts do not grow with the data: the same bound holds for a small
plan (3 workstreams, 2 quarters, 3 risks) and a large one (60 workstreams, 40 quarters, 40
risks: 2,400 updates and 1,600 risk reviews, as in issue 15's performance section)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .support import world

SMALL, LARGE = (3, 2, 3), (60, 40, 40)

# Measured, session, user, roles and the layout's navigation included: overview 17 for
# governance (15 for a board member, without the open cycle's progress), trend grid 12, risk
# trends 9.
BOUNDS = {"dashboards:overview": 17, "dashboards:trends": 12, "dashboards:risk_trends": 9}


def _counts(client, params=None) -> dict[str, int]:
    counts = {}
    for name in BOUNDS:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(name), params or {})
        assert response.status_code == 200
        counts[name] = len(queries)
    return counts


@pytest.mark.parametrize("role", ["governance", "board_member"])
def test_queries_are_the_same_for_small_and_large_data(client, request, role, governance):
    client.force_login(request.getfixturevalue(role))
    world(*SMALL, governance=governance)
    small = _counts(client)
    world(*LARGE, governance=governance)
    large = _counts(client)
    assert small == large
    for name, count in large.items():
        assert count <= BOUNDS[name], (name, count)


def test_filtered_grid_queries_do_not_grow(client, board_member, governance):
    client.force_login(board_member)
    world(*LARGE, governance=governance)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboards:trends"), {"span": "all", "theme": "x"})
    assert response.status_code == 200
    assert len(queries) <= BOUNDS["dashboards:trends"]
