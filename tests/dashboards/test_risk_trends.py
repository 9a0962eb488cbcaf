"""Risk trends (/dashboards/risk-trends/): each open risk's accepted score by quarter as a
small multiple with a table alternative, and which risks moved in the newest quarter."""

import re

import pytest
from django.urls import reverse

from ics_portal.models import ReportingCycle
from ics_portal.status import WorkflowState
from risks.models import BAFRisk
from tests.risks.support import bulk_history, quarters

from .. import factories

URL = reverse("dashboards:risk_trends")


@pytest.fixture
def reviewed(governance):
    """Three quarters: risk 01 rises 9 -> 12 -> 16, 02 stays 8, 03 falls 15 -> 10 in the last;
    04 is closed; 05's last review is still a draft."""
    cycles = quarters(3, first=(2021, 1))
    scores = {
        "01": [(3, 3), (3, 4), (4, 4)],
        "02": [(2, 4), (2, 4), (2, 4)],
        "03": [(3, 5), (3, 5), (2, 5)],
        "04": [(5, 5), (5, 5), (5, 5)],
        "05": [(2, 2), (2, 2), (2, 2)],
    }
    risks = {ref: factories.BAFRiskFactory(reference=ref, title=f"Risk {ref}") for ref in scores}
    for ref, risk in risks.items():
        bulk_history(
            [risk], cycles, governance=governance, score=lambda r, i, ref=ref: scores[ref][i]
        )
    BAFRisk.objects.filter(reference="04").update(
        status=BAFRisk.Status.CLOSED, closed_reason="Mitigated."
    )
    risks["05"].reviews.filter(cycle=cycles[-1]).update(
        state=WorkflowState.DRAFT, approved_at=None, approved_by=None
    )
    return cycles


def test_each_open_risk_has_a_small_multiple_of_its_accepted_scores(client, board_member, reviewed):
    client.force_login(board_member)
    html = client.get(URL).content.decode()
    charts = dict(
        re.findall(
            r'<svg class="app-chart" id="risk-(\d+)-chart".*?<desc[^>]*>([^<]*)<', html, re.S
        )
    )
    assert set(charts) == {"01", "02", "03", "05"}  # 04 is closed
    assert (
        charts["01"]
        == "Score by quarter: Q1 2021/22 9 High; Q2 2021/22 12 High; Q3 2021/22 16 Extreme"
    )
    # 05's Q3 review is not accepted: two points only, and no direction this quarter.
    assert charts["05"].count(";") == 1
    row = re.search(r'data-risk="05">(.*?)</tr>', html, re.S)[1]
    assert "Not reviewed in Q3 2021/22" in row


def test_the_table_gives_every_score(client, board_member, reviewed):
    client.force_login(board_member)
    html = client.get(URL).content.decode()
    row = re.search(r'<tr class="nhsuk-table__row" data-risk="03">(.*?)</tr>', html, re.S)[1]
    assert re.findall(r"risk-score[^>]*>([^<]+)<", row) == ["15 Extreme", "15 Extreme", "10 High"]
    assert "Reduced" in row


def test_the_risks_that_moved_this_quarter(client, board_member, reviewed):
    client.force_login(board_member)
    html = client.get(URL).content.decode()
    assert "Moved in Q3 2021/22" in html
    moved = re.search(r'<ul class="nhsuk-list app-moved" id="moved">(.*?)</ul>', html, re.S)[1]
    assert re.findall(r"Risk (\d+):", moved) == ["01", "03"]
    assert "Increased" in moved and "Reduced" in moved
    assert "from 12 High to" in moved


def test_no_reviews_yet(client, board_member):
    factories.BAFRiskFactory(reference="01")
    client.force_login(board_member)
    assert "no risk review has been accepted" in client.get(URL).content.decode()


def test_who_may_see_the_risk_trends(client, outsider, board_member, lead, governance):
    assert client.get(URL).status_code == 302
    client.force_login(outsider)
    assert client.get(URL).status_code == 404
    for person in (board_member, lead, governance):
        client.force_login(person)
        assert client.get(URL).status_code == 200
    assert ReportingCycle.objects.count() == 0
