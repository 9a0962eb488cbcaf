"""Query counts of the BAF pages do not grow with the number of risks or quarters: the same
bound holds for 5 and 50 risks, and for 2 and 8 quarters of history."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ics_portal.models import ReportingCycle
from risks import actions

from .. import factories
from .support import bulk_history, cycle_for, quarters

# Each bound is the page's own fixed set of queries (session, user and roles included) plus 3
# for the shared layout (navigation, messages): register 9, heat map 6, risk page 18 (3 of them
# find where each linked workstream's latest update can be read, issue 14), reviews 7 for an
# owner and 10 for governance, measured with 5 or 50 risks and 2 or 8 quarters.
REGISTER_MAX = 12
HEAT_MAP_MAX = 9
RISK_PAGE_MAX = 21
REVIEWS_MAX = 13


def _risks(n: int, owner=None) -> list:
    themes = [factories.ThemeFactory() for _ in range(3)]
    made = []
    for i in range(n):
        risk = factories.BAFRiskFactory(
            reference=f"{i + 1:02d}",
            owner=owner or factories.UserFactory(),
            current_likelihood=i % 5 + 1,
            current_consequence=(i * 2) % 5 + 1,
        )
        risk.themes.add(themes[i % 3])
        made.append(risk)
    return made


@pytest.mark.parametrize("n_risks", [5, 50])
def test_register_queries_do_not_grow_with_risks(
    client, board_member, governance, django_assert_max_num_queries, n_risks
):
    risks = _risks(n_risks)
    bulk_history(risks, quarters(3), governance=governance, score=lambda r, i: (i + 1, 3))
    client.force_login(board_member)
    with django_assert_max_num_queries(REGISTER_MAX):
        response = client.get(reverse("risks:register"))
    assert response.content.decode().count("Increased") == n_risks
    with django_assert_max_num_queries(REGISTER_MAX):
        client.get(reverse("risks:register"), {"status": "all", "band": "High", "sort": "x"})


@pytest.mark.parametrize("n_risks", [5, 50])
def test_heat_map_queries_do_not_grow_with_risks(
    client, board_member, django_assert_max_num_queries, n_risks
):
    _risks(n_risks)
    client.force_login(board_member)
    for basis in ("current", "target", "initial"):
        with django_assert_max_num_queries(HEAT_MAP_MAX):
            response = client.get(reverse("risks:heat_map"), {"basis": basis})
        assert f"{n_risks} open risks" in response.content.decode()


@pytest.mark.parametrize("n_quarters", [2, 8])
def test_risk_page_queries_do_not_grow_with_quarters(
    client, governance, lead, django_assert_max_num_queries, n_quarters
):
    risk = factories.BAFRiskFactory(reference="07", owner=lead)
    cycles = quarters(n_quarters)
    bulk_history([risk], cycles, governance=governance, score=lambda r, i: (i % 5 + 1, 4))
    for cycle in cycles:  # updates that cite the risk, in every quarter
        workstream = factories.WorkstreamFactory()
        workstream.leads.add(lead)
        workstream.baf_risks.add(risk)
        factories.WorkstreamUpdateFactory(cycle=cycle, workstream=workstream).baf_risks.add(risk)
        thread_update = factories.GoldenThreadUpdateFactory(cycle=cycle)
        thread_update.golden_thread.system_leads.add(lead)
        thread_update.baf_risks.add(risk)
    open_cycle = cycle_for(2030, 1)
    actions.open_risk_reviews(cycle=open_cycle, by=governance)
    url = reverse("risks:detail", kwargs={"reference": "07"})
    for who in (lead, governance):
        client.force_login(who)
        with django_assert_max_num_queries(RISK_PAGE_MAX):
            response = client.get(url)
        html = response.content.decode()
        assert html.count('r="8"') == n_quarters  # a chart point per quarter
        assert html.count(">Workstream: ") == n_quarters


@pytest.mark.parametrize("n_risks", [5, 50])
def test_reviews_list_queries_do_not_grow_with_risks(
    client, governance, lead, django_assert_max_num_queries, n_risks
):
    risks = _risks(n_risks, owner=lead)
    bulk_history(risks, quarters(2), governance=governance)
    cycle = cycle_for(2030, 1, status=ReportingCycle.Status.OPEN)
    actions.open_risk_reviews(cycle=cycle, by=governance)
    for who in (lead, governance):
        client.force_login(who)
        with django_assert_max_num_queries(REVIEWS_MAX):
            response = client.get(reverse("risks:reviews"))
        assert response.content.decode().count("Not started") >= n_risks


def _queries(client, url: str, params=None) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url, params or {}).status_code == 200
    return len(context.captured_queries)


def test_counts_are_the_same_for_5_and_50_risks_and_2_and_8_quarters(client, governance, lead):
    """The strict form of the bounds above: adding risks and quarters adds no query."""
    risk = factories.BAFRiskFactory(reference="99", owner=lead)
    cycles = quarters(8)
    bulk_history([risk], cycles[:2], governance=governance)
    others = _risks(5)
    bulk_history(others, cycles[:2], governance=governance)
    client.force_login(governance)
    pages = [
        (reverse("risks:register"), None),
        (reverse("risks:register"), {"status": "all", "band": "High"}),
        (reverse("risks:heat_map"), {"basis": "target"}),
        (reverse("risks:detail", kwargs={"reference": "99"}), None),
    ]
    before = [_queries(client, url, params) for url, params in pages]
    bulk_history([risk], cycles[2:], governance=governance)
    for i in range(45):
        factories.BAFRiskFactory(reference=f"R{i}", owner=factories.UserFactory())
    after = [_queries(client, url, params) for url, params in pages]
    assert before == after
