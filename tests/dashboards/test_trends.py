"""The trend grid (/dashboards/trends/): workstreams by quarter, each cell the status of the
approved update with when and by whom it was approved; filters by theme, golden thread, lead
and the lead's organisation; a bad filter is a message naming it."""

import re

import pytest
from django.urls import reverse

from ics_portal.models import ReportingCycle
from ics_portal.status import WorkflowState
from reporting import dashboards
from tests.risks.support import cycle_for

from .. import factories
from .support import update

URL = reverse("dashboards:trends")


@pytest.fixture
def history(governance):
    """DIGITAL (theme Transformation, thread Inequalities, led by Ann of Trust A) and ESTATES
    (theme Estates, led by Bob of Council B) over Q1-Q3 2021/22; ESTATES' Q3 is a draft."""
    q1, q2 = (cycle_for(2021, q, status=ReportingCycle.Status.CLOSED) for q in (1, 2))
    q3 = cycle_for(2021, 3, status=ReportingCycle.Status.OPEN)
    trust = factories.OrganisationFactory(name="Trust A", short_name="TA")
    council = factories.OrganisationFactory(name="Council B", short_name="CB")
    ann = factories.UserFactory(full_name="Ann Lead", organisation=trust)
    bob = factories.UserFactory(full_name="Bob Lead", organisation=council)
    thread = factories.GoldenThreadFactory(name="Inequalities")
    digital = factories.WorkstreamFactory(
        name="DIGITAL", code="DIG", theme=factories.ThemeFactory(name="Transformation")
    )
    digital.leads.add(ann)
    digital.golden_threads.add(thread)
    estates = factories.WorkstreamFactory(
        name="ESTATES", code="EST", theme=factories.ThemeFactory(name="Estates")
    )
    estates.leads.add(bob)
    for cycle, status in ((q1, "ON_TRACK"), (q2, "AT_RISK"), (q3, "DELAYED")):
        update(cycle, digital, status, by=governance)
    update(q1, estates, "COMPLETE", by=governance, state=WorkflowState.PUBLISHED)
    update(q3, estates, "ON_TRACK", state=WorkflowState.DRAFT)
    return {
        "digital": digital,
        "estates": estates,
        "ann": ann,
        "bob": bob,
        "thread": thread,
        "trust": trust,
    }


def _cells(html, code):
    row = re.search(rf'data-workstream="{code}">(.*?)</tr>', html, re.S)[1]
    return re.findall(r'data-quarter="([^"]+)"(?: data-status="(\w+)")?', row)


def test_each_cell_is_the_approved_status_of_that_quarter(
    client, board_member, history, governance
):
    client.force_login(board_member)
    html = client.get(URL).content.decode()
    assert _cells(html, "DIG") == [
        ("Q1 2021/22", "ON_TRACK"),
        ("Q2 2021/22", "AT_RISK"),
        ("Q3 2021/22", "DELAYED"),
    ]
    # A draft is not shown; a published update is.
    assert _cells(html, "EST") == [
        ("Q1 2021/22", "COMPLETE"),
        ("Q2 2021/22", ""),
        ("Q3 2021/22", ""),
    ]
    # The counts the grid shows match the data: three approved statuses and one published.
    assert html.count("app-status-word") == 4
    grid = dashboards.trend_grid()
    assert sum(sum(c.values()) for c in grid.counts.values()) == 4


def test_focus_or_hover_tells_when_and_by_whom_it_was_approved(
    client, board_member, history, governance
):
    client.force_login(board_member)
    html = client.get(URL).content.decode()
    tip = re.search(
        r'<span class="app-tooltip" tabindex="0" aria-describedby="(tip-[\d-]+)">.*?'
        r'role="tooltip" id="\1">([^<]+)</span>',
        html,
        re.S,
    )
    assert tip[2] == f"Approved 5 July 2021 by {governance.full_name}"


@pytest.mark.parametrize(
    "filters, shown",
    [
        (lambda h: {"theme": h["digital"].theme.pk}, ["DIG"]),
        (lambda h: {"thread": h["thread"].pk}, ["DIG"]),
        (lambda h: {"lead": h["bob"].pk}, ["EST"]),
        (lambda h: {"organisation": h["trust"].pk}, ["DIG"]),
        (lambda h: {}, ["DIG", "EST"]),
    ],
)
def test_filters(client, board_member, history, filters, shown):
    client.force_login(board_member)
    html = client.get(URL, filters(history)).content.decode()
    assert re.findall(r'data-workstream="(\w+)"', html) == shown


def test_a_filter_nothing_matches_says_so(client, board_member, history):
    client.force_login(board_member)
    html = client.get(
        URL, {"theme": history["estates"].theme.pk, "thread": history["thread"].pk}
    ).content.decode()
    assert "No workstream matches these filters." in html


@pytest.mark.parametrize(
    "params, message",
    [
        ({"theme": "999999"}, "Select a theme from the list"),
        ({"thread": "x"}, "Select a golden thread from the list"),
        ({"lead": "-1"}, "Select a lead from the list"),
        ({"organisation": "1e9"}, "Select an organisation from the list"),
        ({"span": "100"}, "Select how many quarters to show from the list"),
    ],
)
def test_a_bad_filter_is_a_message_naming_it(client, board_member, history, params, message):
    client.force_login(board_member)
    response = client.get(URL, params)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and "<title>Error: " in html
    assert re.findall(r'data-workstream="(\w+)"', html) == ["DIG", "EST"]


def test_span_shows_the_newest_quarters(client, board_member, history):
    for q in (1, 2, 3, 4):
        cycle_for(2020, q, status=ReportingCycle.Status.CLOSED)
    client.force_login(board_member)
    html = client.get(URL).content.decode()
    assert len(_cells(html, "DIG")) == 7
    html = client.get(URL, {"span": "4"}).content.decode()
    assert [q for q, _ in _cells(html, "DIG")] == [
        "Q4 2020/21",
        "Q1 2021/22",
        "Q2 2021/22",
        "Q3 2021/22",
    ]


def test_each_row_links_to_the_workstreams_plan_page(client, board_member, history):
    client.force_login(board_member)
    html = client.get(URL).content.decode()
    row = re.search(r'data-workstream="DIG">(.*?)</tr>', html, re.S)[1]
    url = reverse("plan:workstream", kwargs={"pk": history["digital"].pk})
    assert f'<a href="{url}">DIGITAL</a>' in row


def test_who_may_see_the_grid(client, outsider, board_member, lead, governance):
    assert client.get(URL).status_code == 302
    client.force_login(outsider)
    assert client.get(URL).status_code == 404
    for person in (board_member, lead, governance):
        client.force_login(person)
        assert client.get(URL).status_code == 200
