"""The plan overview (/dashboards/): each workstream's status and forecast by the counting
rule, the status counts as a stacked bar and its table (the same numbers), milestones due next
quarter and overdue, the BAF heat map, and governance's submission progress."""

import datetime
import re

import pytest
from django.urls import reverse

from ics_portal.models import ReportingCycle
from ics_portal.status import WorkflowState
from tests.risks.support import cycle_for

from .. import factories
from .support import update

URL = reverse("dashboards:overview")


@pytest.fixture
def quarter(governance):
    """Q2 2021/22 (closed): DIGITAL On track (forecast At risk), ESTATES Delayed, WORKFORCE
    Complete, all approved; FINANCE's update a draft that says On track."""
    cycle = cycle_for(2021, 2, status=ReportingCycle.Status.CLOSED)
    theme = factories.ThemeFactory(name="Transformation")
    other = factories.ThemeFactory(name="People")
    made = {}
    for code, theme_, status, state in [
        ("DIG", theme, "ON_TRACK", WorkflowState.APPROVED),
        ("EST", theme, "DELAYED", WorkflowState.PUBLISHED),
        ("FIN", theme, "ON_TRACK", WorkflowState.DRAFT),
        ("WF", other, "COMPLETE", WorkflowState.APPROVED),
    ]:
        workstream = factories.WorkstreamFactory(name=f"{code} workstream", code=code, theme=theme_)
        made[code] = update(
            cycle,
            workstream,
            status,
            state=state,
            by=governance,
            forecast="AT_RISK" if code == "DIG" else None,
        )
    return cycle, made


def _row(html, code):
    return re.search(
        rf'<tr class="nhsuk-table__row" data-workstream="{code}">(.*?)</tr>', html, re.S
    )[1]


def test_each_workstream_shows_its_status_and_forecast_approved_only(client, board_member, quarter):
    client.force_login(board_member)
    html = client.get(URL).content.decode()
    assert "Plan overview: Q2 2021/22" in html
    digital = _row(html, "DIG")
    assert re.findall(r'data-status="(\w+)">([^<]+)<', digital) == [
        ("ON_TRACK", "On track"),
        ("AT_RISK", "At risk"),
    ]
    # A draft's status is not shown: it is not yet approved, as the board pack counts it.
    finance = _row(html, "FIN")
    assert re.findall(r'data-status="(\w+)">', finance) == ["NOT_APPROVED", "NOT_APPROVED"]
    assert 'data-status="COMPLETE">Complete<' in _row(html, "WF")


def test_the_stacked_bar_and_its_table_count_the_same_updates(client, board_member, quarter):
    client.force_login(board_member)
    html = client.get(URL).content.decode()
    chart = re.search(r'<svg class="app-chart" id="status-chart".*?</svg>', html, re.S)[0]
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", chart)[1]
    assert "Transformation: On track 1, Delayed 1, Not yet approved 1 (of 3)" in desc
    assert "People: Complete 1 (of 1)" in desc
    assert "All updates: On track 1, Delayed 1, Complete 1, Not yet approved 1 (of 4)" in desc
    table = re.search(r'<table class="nhsuk-table" id="status-counts">.*?</table>', html, re.S)[0]
    row = re.search(r'data-group="Transformation">(.*?)</tr>', table, re.S)[1]
    cells = dict(re.findall(r'data-status="(\w+)">(\d+)<', row))
    assert cells["ON_TRACK"] == "1" and cells["DELAYED"] == "1" and cells["NOT_APPROVED"] == "1"
    assert cells["TOTAL"] == "3"
    assert "approved updates only" in table


def test_milestones_due_next_quarter_and_overdue(client, board_member, quarter, governance):
    cycle, made = quarter
    digital = made["DIG"].workstream
    late = factories.MilestoneFactory(title="Records procured", due_date=datetime.date(2021, 6, 30))
    soon = factories.MilestoneFactory(title="Strategy agreed", due_date=datetime.date(2021, 11, 30))
    done = factories.MilestoneFactory(title="Board set up", due_date=datetime.date(2021, 5, 31))
    for milestone in (late, soon, done):
        digital.milestones.add(milestone)
    factories.MilestoneProgressFactory(update=made["DIG"], milestone=late, status="DELAYED")
    factories.MilestoneProgressFactory(update=made["DIG"], milestone=soon, status="ON_TRACK")
    factories.MilestoneProgressFactory(update=made["DIG"], milestone=done, status="COMPLETE")
    client.force_login(board_member)
    html = client.get(URL).content.decode()
    overdue = re.search(r'id="overdue-milestones">.*?</table>', html, re.S)[0]
    upcoming = re.search(r'id="next-quarter-milestones">.*?</table>', html, re.S)[0]
    assert "Overdue: 1 milestone" in overdue and "Records procured" in overdue
    assert (
        "Due next quarter (Q3 2021/22): 1 milestone" in upcoming and "Strategy agreed" in upcoming
    )
    assert "Board set up" not in overdue + upcoming


def test_a_milestone_shared_by_workstreams_that_agree_is_one_row(
    client, board_member, quarter, governance
):
    """The demo's "Agreement on budget, services and functions at each level" sits in twenty
    workstreams: one row naming them (folded away past three), not twenty rows."""
    cycle, _ = quarter
    shared = factories.MilestoneFactory(
        title="Shared agreement", due_date=datetime.date(2021, 6, 30)
    )
    theme = factories.ThemeFactory(name="Shared")
    workstreams = []
    for n in range(5):
        workstream = factories.WorkstreamFactory(name=f"SHARED {n}", code=f"S{n}", theme=theme)
        workstream.milestones.add(shared)
        made = update(cycle, workstream, "ON_TRACK", by=governance)
        # Four report it On track; the fifth Delayed: a row of its own.
        factories.MilestoneProgressFactory(
            update=made, milestone=shared, status="DELAYED" if n == 4 else "ON_TRACK"
        )
        workstreams.append(workstream)
    client.force_login(board_member)
    html = client.get(URL).content.decode()
    overdue = re.search(r'id="overdue-milestones">.*?</table>', html, re.S)[0]
    assert "Overdue: 1 milestone across 5 workstreams" in overdue
    body = overdue[overdue.index("<tbody") :]
    rows = re.findall(r'<tr class="nhsuk-table__row">(.*?)</tr>', body, re.S)
    assert len(rows) == 2
    agree, delayed = sorted(rows, key=lambda row: "Delayed" in row)
    assert "4 workstreams</span></summary>" in agree
    assert [f"SHARED {n}" for n in range(4)] == re.findall(r">(SHARED \d)</a>", agree)
    assert re.findall(r">(SHARED \d)</a>", delayed) == ["SHARED 4"] and "<details" not in delayed
    assert workstreams[0].get_absolute_url() in agree


def test_a_long_milestone_list_shows_ten_rows_and_folds_the_rest(
    client, board_member, quarter, governance
):
    cycle, made = quarter
    digital = made["DIG"].workstream
    for n in range(12):
        late = factories.MilestoneFactory(
            title=f"Late milestone {n:02}", due_date=datetime.date(2021, 6, n + 1)
        )
        digital.milestones.add(late)
    client.force_login(board_member)
    html = client.get(URL).content.decode()
    table = re.search(r'id="overdue-milestones">.*?</table>', html, re.S)[0]
    assert "Overdue: 12 milestones across 1 workstream" in table
    assert re.findall(r"Late milestone (\d+)", table) == [f"{n:02}" for n in range(10)]
    more = re.search(
        r'<details class="nhsuk-details" id="overdue-milestones-more">.*?</details>', html, re.S
    )[0]
    assert "Show 2 more rows (overdue)" in more
    assert re.findall(r"Late milestone (\d+)", more) == ["10", "11"]


def test_governance_sees_the_open_cycles_progress_and_the_board_does_not(
    client, board_member, governance, quarter
):
    open_cycle = cycle_for(2021, 3, status=ReportingCycle.Status.OPEN)
    workstream = quarter[1]["DIG"].workstream
    update(open_cycle, workstream, state=WorkflowState.SUBMITTED)
    update(open_cycle, quarter[1]["WF"].workstream, by=governance)
    client.force_login(governance)
    html = client.get(URL).content.decode()
    assert "Submission progress: Q3 2021/22" in html
    assert "1 of 2 updates approved (50%)" in html
    # The quarter shown is still the newest with an approved update... which is now Q3.
    assert "Plan overview: Q3 2021/22" in html
    client.force_login(board_member)
    html = client.get(URL).content.decode()
    assert "Submission progress" not in html


def test_the_heat_map_counts_open_risks(client, lead, quarter):
    factories.BAFRiskFactory(reference="07", current_likelihood=4, current_consequence=4)
    factories.BAFRiskFactory(reference="08", current_likelihood=4, current_consequence=4)
    client.force_login(lead)
    html = client.get(URL).content.decode()
    cell = re.search(r'data-likelihood="4" data-consequence="4" data-count="(\d)"', html)
    assert cell[1] == "2"
    assert "2 open risks by current likelihood" in html


def test_another_quarter_can_be_chosen(client, board_member, quarter, governance):
    q1 = cycle_for(2021, 1, status=ReportingCycle.Status.CLOSED)
    update(q1, quarter[1]["DIG"].workstream, "DELAYED", by=governance)
    client.force_login(board_member)
    html = client.get(URL, {"cycle": q1.pk}).content.decode()
    assert "Plan overview: Q1 2021/22" in html
    assert re.findall(r'data-status="(\w+)">', _row(html, "DIG")) == ["DELAYED", "DELAYED"]


@pytest.mark.parametrize("value", ["nonsense", "999999", "1;DROP"])
def test_a_bad_quarter_is_a_message_not_an_error(client, board_member, quarter, value):
    client.force_login(board_member)
    response = client.get(URL, {"cycle": value})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select a quarter from the list" in html
    assert "<title>Error: " in html
    assert "Plan overview: Q2 2021/22" in html  # the default quarter is still shown


def test_nothing_opened_yet(client, board_member):
    client.force_login(board_member)
    html = client.get(URL).content.decode()
    assert "no reporting cycle has opened" in html


def test_who_may_see_the_overview(client, outsider, board_member, lead, governance, superuser):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(outsider)
    assert client.get(URL).status_code == 404
    for person in (board_member, lead, governance, superuser):
        client.force_login(person)
        assert client.get(URL).status_code == 200, person


def test_the_header_links_to_the_dashboards_for_whoever_may_see_them(
    client, outsider, board_member
):
    client.force_login(board_member)
    assert f'href="{URL}"' in client.get(reverse("home")).content.decode()
    client.force_login(outsider)
    assert f'href="{URL}"' not in client.get(reverse("home")).content.decode()
