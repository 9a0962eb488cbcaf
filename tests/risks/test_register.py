"""The BAF register page: content, filters, sorting, direction of travel and who may read it."""

import datetime
import re

import pytest
from django.urls import reverse

from ics_portal.workflow import actions as workflow
from risks import actions
from risks.models import BAFRisk

from .. import factories
from .support import cycle_for, run_quarter

URL = reverse("risks:register")


def _row(html: str, reference: str) -> str:
    match = re.search(rf'<tr class="nhsuk-table__row" id="risk-{reference}">(.*?)</tr>', html, re.S)
    assert match, f"risk {reference} is not in the register"
    return match.group(1)


def _references(html: str) -> list[str]:
    return re.findall(r'<tr class="nhsuk-table__row" id="risk-([^"]+)">', html)


@pytest.fixture
def themes(db):
    return factories.ThemeFactory(name="Direction & Engagement"), factories.ThemeFactory(
        name="Financial Framework"
    )


@pytest.fixture
def risks(themes, lead, other_lead):
    extreme = factories.BAFRiskFactory(
        reference="07",
        title="Change and uncertainty",
        category=BAFRisk.Category.STAKEHOLDER,
        owner=lead,
        owner_role="Director of Corporate Affairs",
        current_likelihood=4,
        current_consequence=4,
        next_review=datetime.date(2021, 12, 31),
    )
    extreme.themes.add(themes[0])
    high = factories.BAFRiskFactory(
        reference="12",
        title="Workforce analysis",
        category=BAFRisk.Category.QUALITY,
        owner=other_lead,
        current_likelihood=3,
        current_consequence=3,
    )
    high.themes.add(themes[1])
    low = factories.BAFRiskFactory(
        reference="21",
        title="Workload",
        category=BAFRisk.Category.FINANCIAL,
        current_likelihood=1,
        current_consequence=2,
        target_likelihood=1,
        target_consequence=1,
    )
    closed = factories.BAFRiskFactory(reference="16", title="Closed one")
    actions.close_risk(risk=closed, by=lead, reason="Superseded by risk 07.")
    return {"extreme": extreme, "high": high, "low": low, "closed": closed}


def test_it_lists_open_risks_with_scores_as_number_factors_band_word_and_colour(
    client, board_member, risks
):
    client.force_login(board_member)
    html = client.get(URL).content.decode()
    assert _references(html) == ["07", "12", "21"]
    row = _row(html, "07")
    assert "Change and uncertainty" in row
    assert "Stakeholder management" in row
    assert "Lee Lead" in row and "Director of Corporate Affairs" in row
    # Initial 4×4, current 4×4, target 2×4 (factory): word and the band's colour key.
    assert row.count("16 (4×4) Extreme") == 2
    assert "nhsuk-tag--red risk-score risk-colour--red" in row
    assert "8 (2×4) High" in row and "nhsuk-tag--orange risk-score risk-colour--amber" in row
    assert "31 Dec 2021" in row
    low = _row(html, "21")
    assert "2 (1×2) Low" in low and "risk-colour--green" in low
    assert "1 (1×1) Low" in low
    assert "Not set" in low  # next review date


def test_band_colours_come_from_the_matrix_data(client, board_member, risks):
    from risks.models import RiskBand

    RiskBand.objects.filter(name="Extreme").update(colour="blue")
    client.force_login(board_member)
    row = _row(client.get(URL).content.decode(), "07")
    assert "nhsuk-tag--blue risk-score risk-colour--blue" in row


def test_closed_risks_only_on_request(client, governance, risks):
    client.force_login(governance)
    assert "16" not in _references(client.get(URL).content.decode())
    html = client.get(URL, {"status": "closed"}).content.decode()
    assert _references(html) == ["16"]
    assert "Closed" in _row(html, "16")
    # By current score: 07 is 16, closed 16 is 12, 12 is 9, 21 is 2.
    assert _references(client.get(URL, {"status": "all"}).content.decode()) == [
        "07",
        "16",
        "12",
        "21",
    ]


def test_it_filters_by_theme_category_owner_and_band(client, board_member, risks, themes, lead):
    client.force_login(board_member)

    def refs(**params):
        return _references(client.get(URL, params).content.decode())

    assert refs(theme=themes[0].pk) == ["07"]
    assert refs(theme=themes[1].pk) == ["12"]
    assert refs(category="FINANCIAL") == ["21"]
    assert refs(owner=lead.pk) == ["07"]
    assert refs(band="Extreme") == ["07"]
    assert refs(band="High") == ["12"]
    assert refs(band="Low") == ["21"]
    assert refs(band="Moderate") == []
    assert refs(category="QUALITY", band="Extreme") == []


def test_invalid_filter_values_are_ignored(client, board_member, risks):
    client.force_login(board_member)
    response = client.get(URL, {"theme": "999", "band": "Purple", "sort": "x", "likelihood": "9"})
    assert response.status_code == 200
    assert _references(response.content.decode()) == ["07", "12", "21"]


def test_it_sorts_by_current_score(client, board_member, risks):
    client.force_login(board_member)
    factories.BAFRiskFactory(reference="01", current_likelihood=3, current_consequence=3)

    def refs(**params):
        return _references(client.get(URL, params).content.decode())

    assert refs() == ["07", "01", "12", "21"]  # highest first; ties by reference
    assert refs(sort="score_asc") == ["21", "01", "12", "07"]
    assert refs(sort="reference") == ["01", "07", "12", "21"]


def test_a_heat_map_cell_filters_the_register(client, board_member, risks):
    client.force_login(board_member)
    html = client.get(URL, {"likelihood": 4, "consequence": 4, "basis": "current"}).content
    html = html.decode()
    assert _references(html) == ["07"]
    assert "current likelihood is 4 (Likely) and consequence 4 (Major)" in html
    html = client.get(URL, {"likelihood": 1, "consequence": 1, "basis": "target"}).content
    assert _references(html.decode()) == ["21"]


def test_direction_of_travel_compares_the_two_latest_accepted_reviews(
    client, board_member, governance, risks
):
    q1, q2 = cycle_for(2021, 1), cycle_for(2021, 2)
    extreme, high, low = risks["extreme"], risks["high"], risks["low"]
    run_quarter(q1, {extreme: (3, 4), high: (3, 3), low: (2, 2)}, governance=governance)
    run_quarter(q2, {extreme: (4, 4), high: (3, 3), low: (1, 2)}, governance=governance)
    newcomer = factories.BAFRiskFactory(reference="22")
    client.force_login(board_member)
    html = client.get(URL).content.decode()
    assert "↑</span> Increased" in _row(html, "07")
    assert "(was 12)" in _row(html, "07")
    assert "→</span> No change" in _row(html, "12")
    assert "↓</span> Reduced" in _row(html, "21")
    assert "No earlier review" in _row(html, newcomer.reference)


def test_direction_ignores_reviews_not_yet_accepted(client, board_member, governance, risks):
    q1, q2, q3 = cycle_for(2021, 1), cycle_for(2021, 2), cycle_for(2021, 3)
    extreme = risks["extreme"]
    run_quarter(q1, {extreme: (4, 4)}, governance=governance)
    run_quarter(q2, {extreme: (4, 4)}, governance=governance)
    actions.open_risk_reviews(cycle=q3, by=governance)
    review = extreme.reviews.get(cycle=q3)
    review = actions.save_review(
        review=review,
        base_version=review.version,
        by=extreme.owner,
        fields={"likelihood": 5, "consequence": 5, "rationale": "<p>Much worse.</p>"},
    )
    workflow.submit(update=review, by=extreme.owner)
    client.force_login(board_member)
    row = _row(client.get(URL).content.decode(), "07")
    assert "No change" in row and "16 (4×4) Extreme" in row


# --- who may read it --------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_outsider_gets_404(client, outsider):
    client.force_login(outsider)
    assert client.get(URL).status_code == 404


@pytest.mark.parametrize("who", ["board_member", "lead", "governance", "superuser"])
def test_readers_see_it(client, request, who, risks):
    client.force_login(request.getfixturevalue(who))
    response = client.get(URL)
    assert response.status_code == 200
    adds = reverse("risks:create") in response.content.decode()
    assert adds is (who in {"governance", "superuser"})
